package org.sdcdocker.frontend.cluster;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.AsyncMap;
import java.util.concurrent.TimeUnit;
import org.sdcdocker.protocol.DockerException;

/**
 * Container names, reserved across every front end: a name goes to one create (or rename) only,
 * however many front ends are asked at once. Each front end's index refuses the names of the
 * containers it knows; the cluster's map {@code sdc.names} ("account/name" → container id, with
 * backups in the cluster) then settles creates in flight on several front ends: the first to put
 * the name has it. A reservation goes when its create or rename fails, when its container is
 * destroyed (every front end sees that event), and at the latest after an hour, by when every front
 * end's index knows the container. In the embedded default the map is the JVM's own.
 */
final class NameReservations {
  private static final String MAP = "sdc.names";
  private static final long TTL_MS = TimeUnit.HOURS.toMillis(1);

  private final Vertx vertx;
  private final ContainerIndex index;

  NameReservations(Vertx vertx, ContainerIndex index) {
    this.vertx = vertx;
    this.index = index;
  }

  /** Reserves a name for a container; a Docker conflict when another has it. */
  Future<Void> reserve(String owner, String name, String id) {
    try {
      index.reserveName(owner, name, id); // the containers this front end knows, and its creates
    } catch (DockerException taken) {
      return Future.failedFuture(taken);
    }
    return map()
        .compose(m -> m.putIfAbsent(key(owner, name), id, TTL_MS))
        .transform(
            ar -> {
              if (ar.succeeded() && (ar.result() == null || ar.result().equals(id))) {
                return Future.<Void>succeededFuture();
              }
              index.releaseName(owner, name);
              return Future.failedFuture(
                  ar.succeeded()
                      ? ContainerIndex.conflict(name, ar.result())
                      : DockerException.unavailable(
                          "the name %s could not be reserved across the front ends", name));
            });
  }

  /**
   * Gives a name back (its create or rename failed, or its container is gone); what it gives
   * completes once the cluster's map no longer holds it (or could not be asked), so a request that
   * answers after it leaves the name free through every front end.
   */
  Future<Void> release(String owner, String name, String id) {
    index.releaseName(owner, name);
    return map()
        .compose(m -> m.removeIfPresent(key(owner, name), id))
        .<Void>mapEmpty()
        .otherwise(e -> null);
  }

  private Future<AsyncMap<String, String>> map() {
    return vertx.sharedData().getAsyncMap(MAP);
  }

  private static String key(String owner, String name) {
    return owner + "/" + name;
  }
}
