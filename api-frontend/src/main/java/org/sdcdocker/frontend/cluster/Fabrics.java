package org.sdcdocker.frontend.cluster;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.AsyncMap;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.sdcdocker.protocol.Cidr;
import org.sdcdocker.protocol.DockerException;
import org.sdcdocker.protocol.agent.ContainerSpec;
import org.sdcdocker.protocol.agent.NetworkRecords.Network;
import org.sdcdocker.protocol.agent.NetworkSpec;
import org.sdcdocker.protocol.agent.NetworkSpec.Fabric;
import org.sdcdocker.protocol.agent.ZoneRecord;

/**
 * The fleet-wide networks' addresses, allocated by the front ends in the cluster's map {@code
 * sdc.fabrics} (with its backups): each account's default network (its fabric) and each
 * user-defined network has an index, which gives its VNI and, unless the network was made with its
 * own subnet, its /22 of the fleet's pool; the address of the network's bridge on each node that
 * carries it (its containers' gateway there); and each container's address, held for the
 * container's life (or its attachment's), so no two containers of a network anywhere share one.
 * Every claim is a putIfAbsent: two front ends never hand out the same thing.
 *
 * <p>Keys: {@code account:ACCOUNT} or {@code net:ID} → the index; {@code index:I} → its account or
 * {@code net:ID}; {@code addr:I:ADDRESS} → the container id holding it, or {@code gw:NODE}; {@code
 * gw:I:NODE} → the node's gateway address. The VNI is {@link #FIRST_VNI} + I.
 */
final class Fabrics {
  /** The fleet's default pool of fabric subnets: 1,024 accounts' /22s, apart from the nodes'. */
  static final String POOL = "10.192.0.0/12";

  /** The first VNI: those below are left to the operator's other uses. */
  static final int FIRST_VNI = 4096;

  private static final String MAP = "sdc.fabrics";
  private static final int BITS = 22;
  private static final int HOSTS = (1 << (32 - BITS)) - 2; // .1 to .1022 of each /22

  private final Vertx vertx;
  private final String pool;
  private final int poolBase;
  private final int fabricsInPool;

  /** What this front end learnt: account → index, "I:NODE" → gateway. */
  private final Map<String, Integer> indexes = new ConcurrentHashMap<>();

  private final Map<String, String> gateways = new ConcurrentHashMap<>();

  /** The containers whose fabric this front end put back into the map (learn). */
  private final Set<String> learnt = ConcurrentHashMap.newKeySet();

  /** Per fabric index, the addresses this front end saw taken (claims skip them first). */
  private final Map<Integer, Set<String>> taken = new ConcurrentHashMap<>();

  /**
   * Where a network's addresses come from: its subnet, the first and the number of the addresses
   * containers get (its range's), the gateway asked for (null: any), and what no container gets.
   */
  record Shape(int base, int bits, int first, int count, String gateway, Set<String> reserved) {}

  /** The user-defined networks' shapes, by index (an account's fabric has the pool's). */
  private final Map<Integer, Shape> shapes = new ConcurrentHashMap<>();

  private final BooleanSupplier listedAll;

  /**
   * @param pool the fleet's pool of fabric subnets (a /22 each)
   * @param listedAll whether every live node's containers are known to this front end
   */
  Fabrics(Vertx vertx, String pool, BooleanSupplier listedAll) {
    this.vertx = vertx;
    this.listedAll = listedAll;
    this.pool = pool;
    if (!pool.matches("\\d{1,3}(\\.\\d{1,3}){3}/\\d{1,2}")
        || Integer.parseInt(pool.substring(pool.indexOf('/') + 1)) > BITS) {
      throw new IllegalArgumentException(
          "--fabric-pool " + pool + ": an IPv4 range of a /22 or more expected");
    }
    String[] p = pool.split("/");
    int bits = Integer.parseInt(p[1]);
    this.poolBase = addr(p[0]) & (bits == 0 ? 0 : -1 << (32 - bits));
    this.fabricsInPool = 1 << (BITS - bits);
  }

  /**
   * What a node says of a container on the fabric (its list, or the record of a create), the truth
   * the cluster's map is made to hold again: after a whole fleet restarted, the map is empty until
   * the nodes are listed; and a node's gateway is the one its bridge has (a node that kept its
   * bridge across such a restart keeps its gateway).
   */
  void learn(ZoneRecord z) {
    learn(z, true);
  }

  /**
   * A container this front end made: the map holds its claims already, unless its node's gateway
   * was another.
   */
  void made(ZoneRecord z) {
    learn(z, false);
  }

  private void learn(ZoneRecord z, boolean listed) {
    if (z.cnUuid() == null) {
      return;
    }
    boolean fresh = learnt.add(z.spec().id()) && listed;
    Fabric f = z.spec().network().fabric();
    if (f != null && f.vni() >= FIRST_VNI) {
      learn(z, f, fresh, true);
    }
    for (NetworkSpec.Endpoint e : z.spec().network().endpoints()) {
      if (e.fabric() != null && e.fabric().vni() >= FIRST_VNI) {
        learn(z, e.fabric(), fresh, false);
      }
    }
  }

  /** One of a zone's addresses ({@code ofAccount}: on its account's fabric). */
  private void learn(ZoneRecord z, Fabric f, boolean fresh, boolean ofAccount) {
    int i = f.vni() - FIRST_VNI;
    String owner = z.spec().owner();
    String cn = z.cnUuid();
    String id = z.spec().id();
    if (ofAccount) {
      indexes.putIfAbsent(owner, i);
    }
    String claimedGw = gateways.put(i + ":" + cn, f.gateway());
    taken(i).add(f.gateway());
    taken(i).add(f.address());
    boolean gwMoved = claimedGw != null && !claimedGw.equals(f.gateway());
    if (!fresh && !gwMoved) {
      return;
    }
    map()
        .compose(
            m -> {
              Future<?> moved =
                  gwMoved
                      ? m.removeIfPresent(key(i, claimedGw), "gw:" + cn)
                      : Future.succeededFuture();
              return Future.join(
                  moved,
                  ofAccount
                      ? m.putIfAbsent("account:" + owner, Integer.toString(i))
                      : Future.succeededFuture(),
                  ofAccount ? m.putIfAbsent("index:" + i, owner) : Future.succeededFuture(),
                  m.put("gw:" + i + ":" + cn, f.gateway()),
                  m.putIfAbsent(key(i, f.gateway()), "gw:" + cn),
                  m.putIfAbsent(key(i, f.address()), "c:" + id));
            })
        .otherwise(e -> null);
  }

  /** A container's address on its account's fabric, claimed before its node is known. */
  record Claimed(int index, String address) {}

  /**
   * Claims an address on the fabric of {@code account} (made when it has none) for container {@code
   * id}: done while the container's node is chosen.
   */
  Future<Claimed> claim(String account, String id) {
    return everyNodeListed(0)
        .compose(v -> map())
        .compose(
            m ->
                index(m, account)
                    .compose(i -> address(m, i, "c:" + id).map(a -> new Claimed(i, a))));
  }

  /**
   * Waits (5 s at most) until this front end has every live node's list: a front end that just
   * started (a whole fleet restarted: the cluster's map is empty) knows the addresses in use only
   * from them.
   */
  private Future<Void> everyNodeListed(int waited) {
    if (listedAll.getAsBoolean()) {
      return Future.succeededFuture();
    }
    if (waited >= 50) {
      return Future.failedFuture(
          DockerException.unavailable(
              "the compute nodes' containers are still being listed; try again"));
    }
    Promise<Void> later = Promise.promise();
    vertx.setTimer(100, t -> everyNodeListed(waited + 1).onComplete(later));
    return later.future();
  }

  /** The fabric of a container with a claimed address, placed on node {@code cn}. */
  Future<Fabric> onNode(Claimed c, String cn) {
    return map()
        .compose(m -> gateway(m, c.index(), cn))
        .map(
            gw ->
                new Fabric(
                    FIRST_VNI + c.index(),
                    dotted(subnet(c.index())) + "/" + BITS,
                    gw,
                    c.address()));
  }

  /** A claimed address goes back (the container's create failed before its fabric was set). */
  Future<Void> release(Claimed c, String id) {
    return c == null ? Future.succeededFuture() : release(c.index(), c.address(), id);
  }

  /** The addresses a container held go back (it is gone). */
  void release(ZoneRecord z) {
    learnt.remove(z.spec().id());
    releaseAll(z.spec());
  }

  /** The addresses a container's spec holds go back (its create failed, or it is gone). */
  void releaseAll(ContainerSpec spec) {
    release(spec.network().fabric(), spec.id());
    for (NetworkSpec.Endpoint e : spec.network().endpoints()) {
      release(e.fabric(), spec.id());
    }
  }

  Future<Void> release(Fabric f, String id) {
    if (f == null || f.vni() < FIRST_VNI) {
      return Future.succeededFuture();
    }
    return release(f.vni() - FIRST_VNI, f.address(), id);
  }

  private Future<Void> release(int i, String address, String id) {
    return map()
        .compose(m -> m.removeIfPresent(key(i, address), "c:" + id))
        .<Void>map(
            gone -> {
              taken(i).remove(address);
              return null;
            })
        .otherwise(e -> null);
  }

  /** A node forgotten for good: its gateway address on each of the fabrics goes back. */
  void forgetNode(String cn, Iterable<ZoneRecord> itsZones) {
    for (ZoneRecord z : itsZones) {
      List<Fabric> held = new ArrayList<>();
      held.add(z.spec().network().fabric());
      z.spec().network().endpoints().forEach(e -> held.add(e.fabric()));
      for (Fabric f : held) {
        forgetGateway(cn, f);
      }
    }
  }

  private void forgetGateway(String cn, Fabric f) {
    if (f == null || f.vni() < FIRST_VNI) {
      return;
    }
    int i = f.vni() - FIRST_VNI;
    gateways.remove(i + ":" + cn);
    map()
        .compose(
            m ->
                m.removeIfPresent("gw:" + i + ":" + cn, f.gateway())
                    .compose(v -> m.removeIfPresent(key(i, f.gateway()), "gw:" + cn)))
        .otherwise(e -> null);
  }

  private Future<Integer> index(AsyncMap<String, String> m, String account) {
    Integer known = indexes.get(account);
    if (known != null) {
      return Future.succeededFuture(known);
    }
    return m.get("account:" + account)
        .compose(
            have -> {
              if (have != null) {
                return Future.succeededFuture(remember(account, Integer.parseInt(have)));
              }
              int start = Math.floorMod(account.hashCode(), fabricsInPool);
              return claimIndex(m, "account:" + account, account, start, 0)
                  .map(i -> remember(account, i));
            });
  }

  /**
   * Claims the first free index from {@code start} on, every index tried once at most, for {@code
   * holder} ({@code index:I} names it) under the key {@code own}.
   */
  private Future<Integer> claimIndex(
      AsyncMap<String, String> m, String own, String holder, int start, int k) {
    if (k >= fabricsInPool) {
      return Future.failedFuture(
          DockerException.unavailable("the fleet's fabric pool %s has no subnet left", pool));
    }
    int i = (start + k) % fabricsInPool;
    return m.putIfAbsent("index:" + i, holder)
        .compose(
            prior -> {
              if (prior != null && !prior.equals(holder)) {
                return tryAgain(k + 1, () -> claimIndex(m, own, holder, start, k + 1));
              }
              return m.putIfAbsent(own, Integer.toString(i))
                  .compose(
                      winner -> {
                        if (winner == null || winner.equals(Integer.toString(i))) {
                          return Future.succeededFuture(i);
                        }
                        // another front end claimed one for the same holder at the same moment
                        return m.removeIfPresent("index:" + i, holder)
                            .map(v -> Integer.parseInt(winner));
                      });
            });
  }

  /** The index (VNI and pool subnet) of a new user-defined network. */
  Future<Integer> claimNetwork(String networkId) {
    String holder = "net:" + networkId;
    int start = ThreadLocalRandom.current().nextInt(fabricsInPool);
    return map().compose(m -> claimIndex(m, holder, holder, start, 0));
  }

  /** The subnet of index {@code i} in the fleet's pool. */
  String poolSubnet(int i) {
    return dotted(subnet(i)) + "/" + BITS;
  }

  /** The fleet's pool of fabric subnets. */
  String pool() {
    return pool;
  }

  /**
   * A user-defined network the front ends hold: where its addresses come from, and its index held
   * in the cluster's map again (after a whole fleet restarted it is empty).
   */
  void network(Network n) {
    int i = n.vni() - FIRST_VNI;
    if (i < 0) {
      return;
    }
    Cidr subnet = Cidr.parse(n.subnet());
    Cidr range = n.ipRange() == null || n.ipRange().isEmpty() ? subnet : Cidr.parse(n.ipRange());
    int first = Math.max(range.base(), subnet.host(1));
    int last = Math.min(range.base() + (int) ((1L << (32 - range.bits())) - 1), subnet.lastHost());
    Set<String> reserved = new HashSet<>(n.auxAddresses().values());
    if (n.gateway() != null) {
      reserved.add(n.gateway());
    }
    shapes.put(
        i,
        new Shape(
            subnet.base(),
            subnet.bits(),
            first,
            Math.max(0, last - first + 1),
            n.gateway(),
            Set.copyOf(reserved)));
    String holder = "net:" + n.id();
    map()
        .compose(
            m ->
                Future.join(
                    m.putIfAbsent(holder, Integer.toString(i)),
                    m.putIfAbsent("index:" + i, holder)))
        .otherwise(e -> null);
  }

  /**
   * A user-defined network removed: its index, its nodes' gateways and whatever addresses were left
   * go back.
   */
  Future<Void> forgetNetwork(String networkId, int vni) {
    int i = vni - FIRST_VNI;
    dropNetwork(vni);
    String holder = "net:" + networkId;
    return map()
        .compose(
            m ->
                m.keys()
                    .compose(
                        keys -> {
                          List<Future<?>> gone = new ArrayList<>();
                          for (String k : keys) {
                            if (k.startsWith("gw:" + i + ":") || k.startsWith("addr:" + i + ":")) {
                              gone.add(m.remove(k));
                            }
                          }
                          gone.add(m.removeIfPresent(holder, Integer.toString(i)));
                          gone.add(m.removeIfPresent("index:" + i, holder));
                          return Future.join(gone);
                        }))
        .<Void>mapEmpty()
        .otherwise(e -> null);
  }

  /**
   * What this front end kept of a user-defined network that is gone (its index may be another's
   * next): its shape, the addresses and gateways it saw.
   */
  void dropNetwork(int vni) {
    int i = vni - FIRST_VNI;
    shapes.remove(i);
    taken.remove(i);
    gateways.keySet().removeIf(k -> k.startsWith(i + ":"));
  }

  /**
   * An attachment of container {@code id} to user-defined network {@code n} on node {@code cn}: the
   * address asked for ({@code wanted}, null: any free one) and the node's gateway claimed.
   */
  Future<Fabric> attach(Network n, String cn, String id, String wanted) {
    int i = n.vni() - FIRST_VNI;
    if (!shapes.containsKey(i)) {
      network(n);
    }
    String holder = "c:" + id;
    return everyNodeListed(0) // the addresses and gateways in use, after a whole fleet restarted
        .compose(v -> map())
        .compose(
            m -> {
              Future<String> address =
                  wanted == null || wanted.isEmpty()
                      ? address(m, i, holder)
                      : exactly(m, i, holder, wanted);
              return address.compose(
                  a ->
                      gateway(m, i, cn)
                          .map(gw -> new Fabric(n.vni(), n.subnet(), gw, a, n.internal()))
                          .onFailure(e -> release(i, a, id)));
            });
  }

  /** Claims the address a container asked for (--ip): 403 when it is another's. */
  private Future<String> exactly(AsyncMap<String, String> m, int i, String holder, String a) {
    Shape s = shape(i);
    int x = addr(a);
    if (((x ^ s.base()) & (s.bits() == 0 ? 0 : -1 << (32 - s.bits()))) != 0) {
      return Future.failedFuture(
          DockerException.invalid("no configured subnet contains IP address %s", a));
    }
    if (s.reserved().contains(a) || x == s.base() || x == s.base() + (1 << (32 - s.bits())) - 1) {
      return Future.failedFuture(DockerException.forbidden("Address already in use"));
    }
    return m.putIfAbsent(key(i, a), holder)
        .compose(
            prior -> {
              taken(i).add(a);
              return prior == null || prior.equals(holder)
                  ? Future.succeededFuture(a)
                  : Future.failedFuture(DockerException.forbidden("Address already in use"));
            });
  }

  private Shape shape(int i) {
    Shape s = shapes.get(i);
    return s != null ? s : new Shape(subnet(i), BITS, subnet(i) + 1, HOSTS, null, Set.of());
  }

  private int remember(String account, int i) {
    indexes.put(account, i);
    return i;
  }

  private Future<String> gateway(AsyncMap<String, String> m, int i, String cn) {
    String k = i + ":" + cn;
    String known = gateways.get(k);
    if (known != null) {
      return Future.succeededFuture(known);
    }
    return m.get("gw:" + k)
        .compose(
            have -> {
              if (have != null) {
                gateways.put(k, have);
                return Future.succeededFuture(have);
              }
              String declared = shape(i).gateway();
              Future<String> mine =
                  declared == null
                      ? address(m, i, "gw:" + cn)
                      : m.putIfAbsent(key(i, declared), "gw:" + cn)
                          .compose(
                              prior ->
                                  prior == null || prior.equals("gw:" + cn)
                                      ? Future.succeededFuture(declared)
                                      : address(m, i, "gw:" + cn));
              return mine.compose(
                  a ->
                      m.putIfAbsent("gw:" + k, a)
                          .compose(
                              winner -> {
                                if (winner == null) {
                                  gateways.put(k, a);
                                  return Future.succeededFuture(a);
                                }
                                gateways.put(k, winner);
                                return m.removeIfPresent(key(i, a), "gw:" + cn).map(winner);
                              }));
            });
  }

  /** Claims a free address of fabric {@code i} for {@code holder}, from a random one on. */
  private Future<String> address(AsyncMap<String, String> m, int i, String holder) {
    int start = ThreadLocalRandom.current().nextInt(Math.max(1, shape(i).count()));
    return claimAddress(m, i, holder, start, 0, false);
  }

  /**
   * Tries the addresses from the {@code k}-th after {@code start} on, passing over those this front
   * end knows are taken; when it knows of none free, it asks the cluster about every one once (it
   * may not have seen all releases).
   */
  private Future<String> claimAddress(
      AsyncMap<String, String> m, int i, String holder, int start, int k, boolean askAll) {
    Set<String> known = taken(i);
    Shape s = shape(i);
    while (k < s.count()
        && (s.reserved().contains(host(s, start + k))
            || !askAll && known.contains(host(s, start + k)))) {
      k++;
    }
    if (k >= s.count()) {
      if (!askAll) {
        return claimAddress(m, i, holder, start, 0, true);
      }
      return Future.failedFuture(
          DockerException.unavailable(
              "the %s %s/%d has no address left",
              shapes.containsKey(i) ? "network" : "account's fabric", dotted(s.base()), s.bits()));
    }
    String a = host(s, start + k);
    int next = k + 1;
    return m.putIfAbsent(key(i, a), holder)
        .compose(
            prior -> {
              known.add(a);
              if (prior == null || prior.equals(holder)) {
                return Future.succeededFuture(a);
              }
              return tryAgain(next, () -> claimAddress(m, i, holder, start, next, askAll));
            });
  }

  /**
   * The {@code tries}-th try, at once or, every 64 tries, after a hop through the event loop: with
   * a map that answers at once (the embedded default's, a test's) the tries would otherwise be one
   * deep recursion.
   */
  private <T> Future<T> tryAgain(int tries, Supplier<Future<T>> next) {
    if (tries % 64 != 0) {
      return next.get();
    }
    Promise<T> later = Promise.promise();
    vertx.runOnContext(v -> next.get().onComplete(later));
    return later.future();
  }

  private Set<String> taken(int i) {
    return taken.computeIfAbsent(i, x -> ConcurrentHashMap.newKeySet());
  }

  /** The n-th address containers of a network get (wrapping at the end of its range). */
  private static String host(Shape s, int n) {
    return dotted(s.first() + Math.floorMod(n, Math.max(1, s.count())));
  }

  private int subnet(int i) {
    return poolBase + (i << (32 - BITS));
  }

  private static String key(int i, String address) {
    return "addr:" + i + ":" + address;
  }

  private Future<AsyncMap<String, String>> map() {
    return vertx.sharedData().getAsyncMap(MAP);
  }

  static int addr(String dotted) {
    String[] o = dotted.split("\\.");
    if (o.length != 4) {
      throw new IllegalArgumentException("not an IPv4 address: " + dotted);
    }
    int a = 0;
    for (String x : o) {
      a = (a << 8) | Integer.parseInt(x);
    }
    return a;
  }

  static String dotted(int a) {
    return (a >>> 24) + "." + ((a >>> 16) & 255) + "." + ((a >>> 8) & 255) + "." + (a & 255);
  }
}
