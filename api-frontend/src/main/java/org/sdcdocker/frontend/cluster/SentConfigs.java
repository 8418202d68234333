package org.sdcdocker.frontend.cluster;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.sdcdocker.frontend.translate.SentConfig;
import org.sdcdocker.protocol.ContainerId;
import org.sdcdocker.protocol.Json;

/**
 * The front end's own record of each container's {@link SentConfig}, which inspect needs and the
 * agents do not: in memory for reads, one file per container under the data root so a restart keeps
 * it. Written when a create succeeds, removed with the container; entries whose container its node
 * no longer lists are dropped when the node's list arrives.
 */
public final class SentConfigs {
  /** One container's entry: the node it is on, when it was kept, and what was sent. */
  record Entry(String cn, long keptAt, SentConfig config) {}

  private final Vertx vertx;
  private final Path dir;
  private final Map<String, Entry> byId = new ConcurrentHashMap<>();

  private SentConfigs(Vertx vertx, Path dir) {
    this.vertx = vertx;
    this.dir = dir;
  }

  /** Loads what was kept under {@code dir}. Blocking. */
  public static SentConfigs load(Vertx vertx, Path dir) throws IOException {
    Files.createDirectories(dir);
    SentConfigs s = new SentConfigs(vertx, dir);
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.toList()) {
        String name = f.getFileName().toString();
        if (name.endsWith(".json") && ContainerId.is(name.replace(".json", ""))) {
          try {
            s.byId.put(name.replace(".json", ""), Json.decode(Files.readAllBytes(f), Entry.class));
          } catch (RuntimeException unreadable) {
            Files.deleteIfExists(f); // a file cut short by a crash: the fields inspect falls back
          }
        } else {
          Files.deleteIfExists(f); // not one of ours
        }
      }
    }
    return s;
  }

  /** What was sent at the container's create; {@link SentConfig#NONE} when nothing was kept. */
  public SentConfig get(String id) {
    Entry e = byId.get(id);
    return e == null ? SentConfig.NONE : e.config();
  }

  /** Keeps a created container's entry; completes when it is on disk. */
  public Future<Void> put(String id, String cn, SentConfig config) {
    if (!ContainerId.is(id)) {
      return Future.failedFuture(new IllegalArgumentException("not a container id"));
    }
    Entry e = new Entry(cn, System.currentTimeMillis(), config);
    byId.put(id, e);
    // one write, no rename: a file cut short by a crash is dropped at load (inspect falls back)
    return vertx
        .fileSystem()
        .writeFile(file(id).toString(), Buffer.buffer(Json.bytes(e)))
        .compose(
            v ->
                byId.containsKey(id) // removed while it was written
                    ? Future.<Void>succeededFuture()
                    : vertx.fileSystem().delete(file(id).toString()));
  }

  /** Forgets a removed container's entry. */
  public void remove(String id) {
    if (byId.remove(id) != null) {
      vertx.fileSystem().delete(file(id).toString()).otherwise(e -> null);
    }
  }

  /**
   * A node's full list of containers, asked for at {@code askedAt}: its entries kept before that
   * whose containers it no longer has were removed while this front end was away.
   */
  public void retainListed(String cn, Set<String> listed, long askedAt) {
    byId.forEach(
        (id, e) -> {
          if (e.cn().equals(cn) && e.keptAt() < askedAt && !listed.contains(id)) {
            remove(id);
          }
        });
  }

  private Path file(String id) {
    return dir.resolve(id + ".json");
  }
}
