package org.sdcdocker.agent.zone;

import java.nio.file.Path;

/** Where each part of a zone lives under the agent's data root. */
public record ZonePaths(Path agentRoot, String id) {
  /** The zone's own directory: also its OCI bundle. */
  public Path dir() {
    return agentRoot.resolve("zones").resolve(id);
  }

  public Path record() {
    return dir().resolve("zone.json");
  }

  public Path rootfs() {
    return dir().resolve("rootfs");
  }

  public Path upper() {
    return dir().resolve("upper");
  }

  public Path work() {
    return dir().resolve("work");
  }

  /** dockerinit's instructions, mounted at /native/.zonecontrol. */
  public Path zonecontrol() {
    return dir().resolve("zonecontrol");
  }

  public Path log() {
    return dir().resolve("ctr.log");
  }

  public Path pidFile() {
    return dir().resolve("ctr.pid");
  }

  public Path conmonPidFile() {
    return dir().resolve("conmon.pid");
  }

  public Path runtimeLog() {
    return dir().resolve("runtime.log");
  }

  public Path exitFile() {
    return agentRoot.resolve("exits").resolve(id);
  }
}
