package org.sdcdocker.frontend.cluster;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.shareddata.AsyncMap;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.sdcdocker.frontend.translate.SentConfig;
import org.sdcdocker.protocol.ContainerId;
import org.sdcdocker.protocol.Json;

/**
 * Each container's {@link SentConfig}, which inspect needs and the agents do not: in memory for
 * reads, one file per container under the data root so a restart keeps it and, in a fleet, the
 * cluster's map {@code sdc.sent-configs} (with its backups) so every front end answers inspect the
 * same. Shared while the node makes the container, kept when it made it, both before the create is
 * answered; removed with the container; entries whose container its node no longer lists are
 * dropped when the node's list arrives. A front end that lacks an entry reads the map and keeps
 * what it found; a starting one puts what its disk holds back into the map (after a whole-fleet
 * restart the map is empty) and copies the map's.
 */
public final class SentConfigs {
  /** One container's entry: the node it is on, when it was kept, and what was sent. */
  record Entry(String cn, long keptAt, SentConfig config) {}

  private static final String MAP = "sdc.sent-configs";

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

  /**
   * What was sent at the container's create; {@link SentConfig#NONE} when nothing was kept. A
   * container another front end made is looked up in the cluster's map the first time.
   */
  public Future<SentConfig> get(String id) {
    Entry e = byId.get(id);
    if (e != null || !vertx.isClustered()) {
      return Future.succeededFuture(e == null ? SentConfig.NONE : e.config());
    }
    return map()
        .compose(m -> m.get(id))
        .map(
            json -> {
              Entry found = json == null ? null : decode(json);
              if (found == null) {
                return SentConfig.NONE;
              }
              keep(id, found);
              return found.config();
            })
        .otherwise(SentConfig.NONE); // inspect falls back to the spec's fields
  }

  /**
   * In a fleet, at start: puts the entries this front end kept on disk into the cluster's map where
   * it lacks them, then keeps the map's that it lacks itself. Completes when done (failures only
   * leave entries to be read on demand).
   */
  public Future<Void> syncWithCluster() {
    if (!vertx.isClustered()) {
      return Future.succeededFuture();
    }
    return map()
        .compose(
            m -> {
              List<Future<String>> puts = new ArrayList<>();
              byId.forEach(
                  (id, e) -> puts.add(m.putIfAbsent(id, new String(Json.bytes(e), UTF_8))));
              return Future.join(puts).transform(ar -> m.entries());
            })
        .map(
            all -> {
              all.forEach(
                  (id, json) -> {
                    Entry e = ContainerId.is(id) && !byId.containsKey(id) ? decode(json) : null;
                    if (e != null) {
                      keep(id, e);
                    }
                  });
              return (Void) null;
            })
        .otherwise(e -> null);
  }

  private static Entry decode(String json) {
    try {
      return Json.decode(json.getBytes(UTF_8), Entry.class);
    } catch (RuntimeException unreadable) {
      return null;
    }
  }

  /** Keeps an entry another front end made, in memory and on disk. */
  private void keep(String id, Entry e) {
    if (byId.putIfAbsent(id, e) == null) {
      write(id, e);
    }
  }

  /**
   * In a fleet, puts the entry of a container about to be made into the cluster's map (while its
   * node makes it; its create answers once both are done). Elsewhere nothing.
   */
  public Future<Void> share(String id, String cn, SentConfig config) {
    if (!vertx.isClustered() || !ContainerId.is(id)) {
      return Future.succeededFuture();
    }
    Entry e = new Entry(cn, System.currentTimeMillis(), config);
    return map().compose(m -> m.put(id, new String(Json.bytes(e), UTF_8)));
  }

  /** Keeps a created container's entry; completes when it is on disk. */
  public Future<Void> put(String id, String cn, SentConfig config) {
    if (!ContainerId.is(id)) {
      return Future.failedFuture(new IllegalArgumentException("not a container id"));
    }
    Entry e = new Entry(cn, System.currentTimeMillis(), config);
    byId.put(id, e);
    return write(id, e);
  }

  private Future<Void> write(String id, Entry e) {
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

  /** Forgets a removed container's entry (every front end does, each destroy being seen by all). */
  public void remove(String id) {
    if (byId.remove(id) != null) {
      vertx.fileSystem().delete(file(id).toString()).otherwise(e -> null);
    }
    if (vertx.isClustered()) {
      map().compose(m -> m.remove(id)).otherwise(e -> null);
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

  private Future<AsyncMap<String, String>> map() {
    return vertx.sharedData().getAsyncMap(MAP);
  }

  private Path file(String id) {
    return dir.resolve(id + ".json");
  }
}
