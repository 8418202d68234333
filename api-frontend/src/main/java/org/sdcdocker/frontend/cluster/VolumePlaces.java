package org.sdcdocker.frontend.cluster;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.AsyncMap;
import java.util.ArrayList;
import java.util.List;
import org.sdcdocker.protocol.DockerException;

/**
 * Where each named volume of a fleet is: the cluster's map {@code sdc.volumes} ("account/name" →
 * the compute node that holds its data, with backups in the cluster). A name is one volume across
 * the front ends: the first create of it through any front end (a {@code volume create}, or a
 * container's that mounts it) claims a node for it, and every other create of that name goes to the
 * node claimed, however many front ends are asked at once. While that node is down, what needs the
 * volume is refused with a 503 that names the node, even when no container of it says so. The entry
 * goes when the volume is removed, or when its node is forgotten. The embedded default has one node
 * and no map.
 */
final class VolumePlaces {
  private static final String MAP = "sdc.volumes";

  private final Vertx vertx;

  VolumePlaces(Vertx vertx) {
    this.vertx = vertx;
  }

  /** The node a name was claimed for; null when none was (or in the embedded default). */
  Future<String> where(String owner, String name) {
    if (!vertx.isClustered()) {
      return Future.succeededFuture();
    }
    return map()
        .compose(m -> m.get(key(owner, name)))
        .recover(e -> Future.failedFuture(lost(name)));
  }

  /**
   * Claims a node for a name: {@code cn}, or the node another create claimed it for first (where
   * this create is to go too).
   */
  Future<String> claim(String owner, String name, String cn) {
    if (!vertx.isClustered()) {
      return Future.succeededFuture(cn);
    }
    return map()
        .compose(m -> m.putIfAbsent(key(owner, name), cn))
        .map(prior -> prior == null ? cn : prior)
        .recover(e -> Future.failedFuture(lost(name)));
  }

  /** Gives up the claim of a name for {@code cn} (its create failed, or it was removed). */
  Future<Void> forget(String owner, String name, String cn) {
    if (!vertx.isClustered()) {
      return Future.succeededFuture();
    }
    return map()
        .compose(m -> m.removeIfPresent(key(owner, name), cn))
        .<Void>mapEmpty()
        .otherwise(e -> null);
  }

  /** Forgets the claims of a node that will not return: its volumes are gone with it. */
  Future<Void> forgetNode(String cn) {
    if (!vertx.isClustered()) {
      return Future.succeededFuture();
    }
    return map()
        .compose(
            m ->
                m.entries()
                    .compose(
                        all -> {
                          List<Future<?>> removed = new ArrayList<>();
                          all.forEach(
                              (k, v) -> {
                                if (v.equals(cn)) {
                                  removed.add(m.removeIfPresent(k, v));
                                }
                              });
                          return Future.join(removed);
                        }))
        .<Void>mapEmpty()
        .otherwise(e -> null);
  }

  private Future<AsyncMap<String, String>> map() {
    return vertx.sharedData().getAsyncMap(MAP);
  }

  private static DockerException lost(String name) {
    return DockerException.unavailable(
        "where the volume %s is could not be asked across the front ends; try again", name);
  }

  private static String key(String owner, String name) {
    return owner + "/" + name;
  }
}
