package org.sdcdocker.frontend.cluster;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.AsyncMap;
import io.vertx.core.shareddata.Counter;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.sdcdocker.protocol.Json;

/**
 * Records an operator changes through any one front end (accounts, packages), the same on every
 * front end: each version made through one front end goes into a cluster map (with Hazelcast's
 * backups) and its key is published on an address; every front end then takes the map's version
 * when it is newer than its own and keeps it on its disk. A starting front end puts what it holds
 * where the map has older or nothing (after a whole-fleet restart the map is empty), then takes the
 * map's newer versions. A removal is a version too (a tombstone), so a front end that was away
 * brings nothing removed back. In the embedded default nothing of this runs.
 */
public final class VersionedReplica<T extends VersionedReplica.Versioned> {
  /** One version of a record: its key, and when (ms) it was made; the newer one wins. */
  public interface Versioned {
    String key();

    long updated();
  }

  /** Where a front end keeps the records. */
  public interface Store<T> {
    /**
     * Called with each version made through this front end; what {@code share} gives completes once
     * the cluster's map holds the version (the other front ends' reads see it from then on).
     */
    void onOwnChange(Function<T, Future<Void>> share);

    /** Takes another front end's version when it is newer than this one's. Blocking. */
    boolean apply(T remote) throws IOException;

    /** Every version held, tombstones too. */
    List<T> versions();
  }

  private final Vertx vertx;
  private final String mapName;
  private final String address;
  private final Store<T> store;
  private final Class<T> type;

  public VersionedReplica(
      Vertx vertx, String mapName, String address, Store<T> store, Class<T> type) {
    this.vertx = vertx;
    this.mapName = mapName;
    this.address = address;
    this.store = store;
    this.type = type;
  }

  /** Starts following the other front ends; completes once this one is in step with the map. */
  public Future<Void> start() {
    if (!vertx.isClustered()) {
      return Future.succeededFuture();
    }
    store.onOwnChange(this::share);
    vertx
        .eventBus()
        .<String>consumer(
            address, m -> map().compose(mp -> mp.get(m.body())).onSuccess(this::take));
    return map()
        .compose(
            m -> {
              List<Future<?>> puts = new ArrayList<>();
              for (T mine : store.versions()) {
                puts.add(
                    m.get(mine.key())
                        .compose(
                            theirs -> {
                              T t = decode(theirs);
                              return t != null && t.updated() >= mine.updated()
                                  ? Future.succeededFuture()
                                  : m.put(mine.key(), encode(mine)).compose(x -> counted());
                            }));
              }
              return Future.join(puts).transform(ar -> m.entries());
            })
        .compose(all -> Future.join(all.values().stream().map(this::take).toList()))
        .<Void>mapEmpty()
        .otherwise(e -> null);
  }

  /**
   * Puts a version into the map, then tells the other front ends (which take it a moment later,
   * each on its own; a read that must not miss it calls {@link #refresh()} first).
   */
  private Future<Void> share(T v) {
    return map()
        .compose(m -> m.put(v.key(), encode(v)))
        .compose(x -> counted())
        .onSuccess(x -> vertx.eventBus().publish(address, v.key()))
        .mapEmpty();
  }

  /** The map's count of versions put in it, one more (after each put, before its answer). */
  private Future<Long> counted() {
    return vertx.sharedData().getCounter(mapName + ".puts").compose(Counter::incrementAndGet);
  }

  /** The map's count of puts of which this front end has taken every version (-1: none yet). */
  private final AtomicLong taken = new AtomicLong(-1);

  /**
   * Takes each of the map's versions that is newer than this front end's: after it, this front end
   * holds every version another one had shared when it began. One round trip to the cluster for the
   * map's count of puts; the map itself is read only when that count moved since the last time.
   */
  public Future<Void> refresh() {
    if (!vertx.isClustered()) {
      return Future.succeededFuture();
    }
    return vertx
        .sharedData()
        .getCounter(mapName + ".puts")
        .compose(Counter::get)
        .compose(
            puts ->
                puts == taken.get()
                    ? Future.<Void>succeededFuture()
                    : map()
                        .compose(AsyncMap::entries)
                        .compose(
                            all ->
                                vertx.executeBlocking(
                                    () -> {
                                      for (String json : all.values()) {
                                        T v = decode(json);
                                        if (v != null) {
                                          store.apply(v);
                                        }
                                      }
                                      taken.set(puts); // what was put before the count was read
                                      return null;
                                    },
                                    false))); // not queued behind the context's other work
  }

  private Future<Boolean> take(String json) {
    T v = decode(json);
    return v == null ? Future.succeededFuture(false) : vertx.executeBlocking(() -> store.apply(v));
  }

  private String encode(T v) {
    return new String(Json.bytes(v), UTF_8);
  }

  private T decode(String json) {
    try {
      return json == null ? null : Json.decode(json.getBytes(UTF_8), type);
    } catch (RuntimeException unreadable) {
      return null;
    }
  }

  private Future<AsyncMap<String, String>> map() {
    return vertx.sharedData().getAsyncMap(mapName);
  }
}
