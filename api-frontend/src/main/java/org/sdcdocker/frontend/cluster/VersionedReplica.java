package org.sdcdocker.frontend.cluster;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.shareddata.AsyncMap;
import io.vertx.core.shareddata.Counter;
import io.vertx.core.spi.cluster.ClusterManager;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.sdcdocker.bus.Members;
import org.sdcdocker.protocol.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records changed through any one front end (accounts and packages by an operator, user-defined
 * networks by a tenant), the same on every front end: each version made through one front end goes
 * into a cluster map (with Hazelcast's backups), then to every other front end, which takes it when
 * it is newer than its own, keeps it on its disk and says so; the change is shared (and whoever
 * made it answered) once the map holds it and every other front end that answers within {@value
 * #ACK_TIMEOUT_MS} ms took it, so a tenant's next request finds it through any front end. A
 * starting front end puts what it holds where the map has older or nothing (after a whole-fleet
 * restart the map is empty), then takes the map's newer versions. A removal is a version too (a
 * tombstone), so a front end that was away brings nothing removed back. In the embedded default
 * nothing of this runs.
 */
public final class VersionedReplica<T extends VersionedReplica.Versioned> {
  /** One version of a record: its key, and when (ms) it was made; the newer one wins. */
  public interface Versioned {
    String key();

    long updated();
  }

  /**
   * What a store does with the versions made through its own front end: each goes to every sharer
   * (the replica, in a fleet), and {@link #shared} tells when the last one of a key is shared.
   */
  public static final class OwnChanges<T extends Versioned> {
    private final List<Function<T, Future<Void>>> sharers = new CopyOnWriteArrayList<>();
    private final Map<String, Future<Void>> sharing = new ConcurrentHashMap<>();

    public void add(Function<T, Future<Void>> sharer) {
      sharers.add(sharer);
    }

    /** Shares a version this front end made; completes as {@link #shared} of its key would. */
    public Future<Void> made(T v) {
      if (sharers.isEmpty()) {
        return Future.succeededFuture(); // the embedded default
      }
      Future<Void> f = Future.all(sharers.stream().map(s -> s.apply(v)).toList()).mapEmpty();
      sharing.put(v.key(), f);
      f.onComplete(x -> sharing.remove(v.key(), f));
      return f;
    }

    /**
     * Completes once the last version of {@code key} made here is shared (at once when there is
     * none on its way); fails when the cluster's map could not take it.
     */
    public Future<Void> shared(String key) {
      Future<Void> f = key == null ? null : sharing.get(key);
      return f == null ? Future.succeededFuture() : f;
    }
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

  /**
   * How long a change waits for another front end to say it took it (then it is not waited for).
   */
  static final long ACK_TIMEOUT_MS = 5_000;

  private static final Logger LOG = LoggerFactory.getLogger(VersionedReplica.class);

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
    MessageConsumer<String> others =
        vertx
            .eventBus()
            .consumer(address + "." + nodeId(), m -> take(m.body()).onComplete(x -> m.reply(null)));
    return others
        .completion()
        .compose(x -> map())
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

  /** The versions of each key on their way, so that two changes of one key go out in order. */
  private final Map<String, Future<Void>> sharing = new ConcurrentHashMap<>();

  /**
   * Puts a version into the map, then gives it to each other front end and waits until each took it
   * (one that does not answer in time, or left, is not waited for: it reads the map when it
   * starts). Fails only when the map could not take it.
   */
  private Future<Void> share(T v) {
    String json = encode(v);
    Future<Void> f =
        sharing.compute(
            v.key(),
            (k, before) ->
                (before == null ? Future.<Void>succeededFuture() : before.<Void>otherwiseEmpty())
                    .compose(x -> map())
                    .compose(m -> m.put(k, json))
                    .compose(x -> counted())
                    .compose(x -> toOthers(json)));
    f.onComplete(x -> sharing.remove(v.key(), f));
    return f;
  }

  /** Each member's role ("frontend", "agent"), once this front end is in a cluster. */
  private volatile Members.Roles roles;

  /** Each other front end's answer once it took a version. */
  private Future<Void> toOthers(String json) {
    ClusterManager cm = ((VertxInternal) vertx).clusterManager();
    String me = cm.getNodeId();
    DeliveryOptions o = new DeliveryOptions().setSendTimeout(ACK_TIMEOUT_MS);
    List<Future<Object>> acks = new ArrayList<>();
    List<String> nodes = cm.getNodes();
    if (roles == null) {
      roles = new Members.Roles(cm);
    }
    roles.retain(nodes); // who left
    for (String node : nodes) {
      if (!node.equals(me)) {
        acks.add(
            roles
                .of(node) // "unknown" (left meanwhile): asked anyway, not waited for if gone
                .compose(
                    r ->
                        r.equals("agent")
                            ? Future.succeededFuture()
                            : vertx.eventBus().request(address + "." + node, json, o))
                .map(m -> (Object) null)
                .recover(
                    e -> {
                      if (!(e instanceof ReplyException r)
                          || r.failureType() != ReplyFailure.NO_HANDLERS) {
                        LOG.warn(
                            "member {} did not say it took a change of {}: {}",
                            node,
                            mapName,
                            e.toString());
                      }
                      return Future.succeededFuture();
                    }));
      }
    }
    return Future.all(acks).mapEmpty();
  }

  private String nodeId() {
    return ((VertxInternal) vertx).clusterManager().getNodeId();
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
    // not queued behind the context's other blocking work; the newer version wins in any order
    return v == null
        ? Future.succeededFuture(false)
        : vertx.executeBlocking(() -> store.apply(v), false);
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
