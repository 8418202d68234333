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
 * container's reservation put there before the lock goes. A reservation goes when its create is
 * answered, and at the latest with the create's timeout. In the embedded default the lock and the
 * map are the JVM's own.
 */
final class Reservations {
  private static final String LOCK = "sdc.placement";
  private static final String MAP = "sdc.reservations";
  private static final long LOCK_MS = 10_000;

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
                                      placement.inFlight(held.values());
                                      Placement.Placed placed = choose.get();
                                      return m.put(
                                              id, Placement.reservation(account, placed), ttlMs)
                                          .map(placed);
                                    }))
                    .onComplete(ar -> lock.release()));
  }

  /** The create of a placed container was answered (made or not). */
  void answered(String id) {
    map().compose(m -> m.remove(id));
  }

  private Future<AsyncMap<String, String>> map() {
    return vertx.sharedData().getAsyncMap(MAP);
  }
}
