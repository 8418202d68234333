package org.sdcdocker.frontend.builder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.sdcdocker.frontend.image.ImageRecord;
import org.sdcdocker.protocol.agent.AgentRequests.CommitResult;
import org.sdcdocker.protocol.agent.AgentRequests.PathStat;
import org.sdcdocker.protocol.agent.ZoneRecord;

/**
 * What a build needs of the rest of the system: images (found or pulled), and containers on compute
 * nodes to run steps in and take layers from. Blocking calls: a build runs on a worker.
 */
interface BuildHost {
  /** The account's image by reference, pulled (progress to {@code out}) when it has none. */
  ImageRecord image(String ref, Consumer<ObjectNode> out) throws IOException;

  /**
   * A container made from a Docker create body (not started); without {@code imageVolumes} the
   * image's VOLUMEs are not mounted in it (file steps write the image's own files).
   */
  ZoneRecord create(JsonNode body, boolean imageVolumes);

  /** Starts it, and returns its output (Docker's 8-byte framed stream) until it ends. */
  InputStream startAndFollow(ZoneRecord r) throws IOException;

  /** Waits until it is not running; its last record (with the exit code). */
  ZoneRecord waitExit(ZoneRecord r);

  /** The stat of a path in it; null when there is none. */
  PathStat stat(ZoneRecord r, String path);

  /** A path of it as docker cp's tar. */
  InputStream archive(ZoneRecord r, String path) throws IOException;

  /** Extracts a tar at / of it, owners as in the tar. */
  void extract(ZoneRecord r, Path tar) throws IOException;

  /** Its changes as a layer, stored in the blob store (digest verified). */
  CommitResult commit(ZoneRecord r) throws IOException;

  /** Kills it (SIGKILL), as a cancelled build does to its running step. */
  void kill(ZoneRecord r);

  /** Removes it and its anonymous volumes. */
  void remove(ZoneRecord r);
}
