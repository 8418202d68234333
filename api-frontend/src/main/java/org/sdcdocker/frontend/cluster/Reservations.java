package org.sdcdocker.frontend.cluster;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.AsyncMap;
import java.util.function.Supplier;
import org.sdcdocker.protocol.DockerException;

/**
 * Placement across front ends, as Triton's allocation ticket: the choice of a node is made under
 * the cluster lock {@code sdc.placement}, with every front end's creates in flight counted (the
 * cluster's map {@code sdc.reservations}: container id → "cn account memory"), and the new
 * container's reservation put there before the lock goes. A refused create's reservation goes at
 * once; a made container's stays until every front end can know it from the node's event (a front
 * end that knows the container counts it as the node's, not as in flight), until the container is
 * destroyed, or for {@link #KNOWN_MS} at most. At the latest a reservation goes with the create's
 * timeout. In the embedded default the lock and the map are the JVM's own.
 */
final class Reservations {
  private static final String LOCK = "sdc.placement";
  private static final String MAP = "sdc.reservations";
  private static final long LOCK_MS = 10_000;

  /**
   * How long a made container's reservation outlives its create: the node's event reaches every
   * front end well within it (events are pushed at once; a node's list is read again every few
   * seconds).
   */
  static final long KNOWN_MS = 30_000;

  private final Vertx vertx;
  private final Placement placement;
  private final long ttlMs;

  Reservations(Vertx vertx, Placement placement, long ttlMs) {
    this.vertx = vertx;
    this.placement = placement;
    this.ttlMs = ttlMs;
  }

  /** Places a container ({@code choose}, with every front end's creates in flight counted). */
  Future<Placement.Placed> place(String account, String id, Supplier<Placement.Placed> choose) {
    return vertx
        .sharedData()
        .getLockWithTimeout(LOCK, LOCK_MS)
        .recover(
            e ->
                Future.failedFuture(
                    DockerException.unavailable(
                        "the compute nodes are busy placing other containers; try again")))
        .compose(
            lock ->
                map()
                    .compose(
                        m ->
                            m.entries()
                                .compose(
                                    held -> {
                                      placement.inFlight(held);
                                      Placement.Placed placed = choose.get();
                                      return m.put(
                                              id, Placement.reservation(account, placed), ttlMs)
                                          .map(placed);
                                    }))
                    .onComplete(ar -> lock.release()));
  }

  /**
   * The create of a placed container was answered: a refused one's reservation goes; a made one's
   * stays a while, until every front end has the container in its index.
   */
  void answered(String id, boolean made) {
    if (!made) {
      gone(id);
      return;
    }
    map()
        .compose(
            m ->
                m.get(id)
                    .compose(v -> v == null ? Future.succeededFuture() : m.put(id, v, KNOWN_MS)));
  }

  /** The container is destroyed: its reservation, if any is left, goes. */
  void gone(String id) {
    map().compose(m -> m.remove(id));
  }

  private Future<AsyncMap<String, String>> map() {
    return vertx.sharedData().getAsyncMap(MAP);
  }
}
