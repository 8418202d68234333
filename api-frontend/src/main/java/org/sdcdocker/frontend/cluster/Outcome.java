package org.sdcdocker.frontend.cluster;

/** What a start or stop did: its work, or nothing because the container was so already. */
public enum Outcome {
  DONE,
  /** It ran already (start) or was not running (stop): Docker answers 304 Not Modified. */
  ALREADY
}
