package org.sdcdocker.frontend.cluster;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sdcdocker.protocol.Cidr;
import org.sdcdocker.protocol.DockerException;
import org.sdcdocker.protocol.ErrorKind;
import org.sdcdocker.protocol.agent.Addresses;
import org.sdcdocker.protocol.agent.AgentEvents.Heartbeat;
import org.sdcdocker.protocol.agent.AgentRequests;
import org.sdcdocker.protocol.agent.ContainerSpec;
import org.sdcdocker.protocol.agent.FrontendRequests;
import org.sdcdocker.protocol.agent.NetStatus;
import org.sdcdocker.protocol.agent.NetworkRecords;
import org.sdcdocker.protocol.agent.NetworkRecords.Member;
import org.sdcdocker.protocol.agent.NetworkRecords.Network;
import org.sdcdocker.protocol.agent.NetworkRecords.NetworkUse;
import org.sdcdocker.protocol.agent.NetworkSpec;
import org.sdcdocker.protocol.agent.ZoneRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Networks live with the bridges that carry them, on compute nodes; the front end asks the nodes
 * and merges what they say (an account's fabric has the same id on every node). In a fleet, the
 * user-defined networks are the front ends' ({@link FleetNetworks}) and span the nodes: their
 * subnets, VNIs and addresses come from {@link Fabrics}, and a node has its copy of one while a
 * container of it is there.
 */
public final class NetworkBackend {
  private static final Logger LOG = LoggerFactory.getLogger(NetworkBackend.class);
  private static final long SHORT_MS = 30_000;
  private static final long CREATE_LOCK_MS = 10_000;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Vertx vertx;
  private final AgentDirectory agents;
  private final ContainerIndex index;
  private final Fabrics fabrics;
  private final FleetNetworks fleetNetworks;
  private final VersionedReplica<FleetNetworks.Version> replica;

  public NetworkBackend(
      Vertx vertx,
      AgentDirectory agents,
      ContainerIndex index,
      Fabrics fabrics,
      FleetNetworks fleetNetworks) {
    this.vertx = vertx;
    this.agents = agents;
    this.index = index;
    this.fabrics = fabrics;
    this.fleetNetworks = fleetNetworks;
    this.replica =
        new VersionedReplica<>(
            vertx,
            "sdc.networks",
            Addresses.FRONTEND_NETWORKS,
            fleetNetworks,
            FleetNetworks.Version.class);
    fleetNetworks.onAny(
        v -> {
          if (v.removed()) {
            fabrics.dropNetwork(v.network().vni());
          } else {
            fabrics.network(v.network());
          }
        });
  }

  /**
   * In a fleet, follows the other front ends' networks; completes once this one holds what the
   * cluster's map holds.
   */
  public Future<Void> followFleet() {
    return replica.start();
  }

  /**
   * In a fleet, completes once this front end holds every network made or removed through another
   * before now (one round trip to the cluster); what cannot be read then leaves this one's copy as
   * it is. In the embedded default, at once.
   */
  Future<Void> refreshed() {
    if (!vertx.isClustered()) {
      return Future.succeededFuture();
    }
    return replica
        .refresh()
        .recover(
            e -> {
              LOG.warn("the fleet's networks could not be read; answering from this copy", e);
              return Future.succeededFuture();
            });
  }

  /**
   * {@link #refreshed()} when the container names a network other than its account's fabric or none
   * (the only ones a create or start could find stale), else at once.
   */
  Future<Void> refreshedFor(ContainerSpec spec) {
    boolean named =
        !spec.network().sharesContainer()
            && spec.network().endpoints().stream()
                .map(NetworkSpec.Endpoint::network)
                .anyMatch(n -> !n.equals(NetworkRecords.FABRIC) && !n.equals("none"));
    return named ? refreshed() : Future.succeededFuture();
  }

  /**
   * Answers the agents' questions about what is on other nodes (in a fleet): a name on a fleet-wide
   * network, a link's target.
   */
  public void answerLookups() {
    if (!vertx.isClustered()) {
      return;
    }
    vertx
        .eventBus()
        .<Record>consumer(
            Addresses.FRONTEND_LOOKUP,
            m -> {
              if (m.body() instanceof FrontendRequests.LookupName q) {
                m.reply(new FrontendRequests.FoundName(lookup(q)));
              } else if (m.body() instanceof FrontendRequests.LookupZone q) {
                ZoneRecord r = index.byId(q.zoneId());
                m.reply(
                    new FrontendRequests.FoundZone(
                        r != null && r.spec().owner().equals(q.owner()) ? r : null));
              } else {
                m.fail(400, "not a lookup");
              }
            });
  }

  /**
   * A name on a fleet-wide network as a container on it asks: its own links' aliases first, then
   * the names, aliases and short ids of the network's running containers, wherever they run.
   */
  String lookup(FrontendRequests.LookupName q) {
    ZoneRecord asking = index.byId(q.askingZoneId());
    if (asking == null) {
      return null;
    }
    String target = NetworkRecords.linkTarget(asking.spec(), q.networkId(), q.name());
    for (ZoneRecord r : index.all(asking.spec().owner())) {
      if (r.state().running() && NetworkRecords.answersTo(r.spec(), q.networkId(), target)) {
        for (NetStatus.Attached a : r.net().attached()) {
          if (q.networkId().equals(a.networkId())) {
            return a.ip();
          }
        }
      }
    }
    return null;
  }

  /** The fleet's user-defined networks, as every front end holds them. */
  public FleetNetworks fleetNetworks() {
    return fleetNetworks;
  }

  /**
   * A user-defined network: in a fleet, the front ends' (one subnet and VNI for the whole fleet,
   * one name per account, made under the cluster's lock {@code sdc.networks.create}); in the
   * embedded default, the node's.
   */
  public Future<Network> create(NetworkRecords.CreateNetwork c) {
    if (!vertx.isClustered()) {
      return list(c.owner())
          .compose(
              l -> {
                if (l.stream().anyMatch(n -> n.network().name().equals(c.name()))) {
                  return Future.failedFuture(
                      DockerException.conflict("network with name %s already exists", c.name()));
                }
                return agents.request(Placement.anyNode(agents), c, SHORT_MS);
              });
    }
    try {
      NetworkRecords.checkNewName(c.name());
    } catch (DockerException e) {
      return Future.failedFuture(e);
    }
    return vertx
        .sharedData()
        .getLockWithTimeout("sdc.networks.create", CREATE_LOCK_MS)
        .recover(
            e ->
                Future.failedFuture(
                    DockerException.unavailable(
                        "the fleet's networks are busy (another is being made); try again")))
        .compose(
            lock ->
                list(c.owner()).compose(l -> fleetCreate(c, l)).onComplete(ar -> lock.release()));
  }

  private Future<Network> fleetCreate(NetworkRecords.CreateNetwork c, List<NetworkUse> mine) {
    if (mine.stream().anyMatch(n -> n.network().name().equals(c.name()))) {
      return Future.failedFuture(
          DockerException.conflict("network with name %s already exists", c.name()));
    }
    Cidr asked;
    try {
      asked = c.subnet() == null || c.subnet().isEmpty() ? null : checkedSubnet(c.subnet());
    } catch (DockerException e) {
      return Future.failedFuture(e);
    }
    byte[] b = new byte[32];
    RANDOM.nextBytes(b);
    String id = HexFormat.of().formatHex(b);
    return fabrics
        .claimNetwork(id)
        .compose(
            i -> {
              Network n;
              try {
                n = fleetRecord(c, id, i, asked);
              } catch (DockerException e) {
                return fabrics.forgetNetwork(id, Fabrics.FIRST_VNI + i).compose(v -> fail(e));
              }
              return vertx
                  .executeBlocking(() -> fleetNetworks.add(n))
                  .onFailure(e -> fabrics.forgetNetwork(id, n.vni())) // its index goes back
                  .compose(shared -> shared.transform(ar -> sharedOrUndone(n, ar.cause())));
            });
  }

  /**
   * The network made, once the cluster's map has it; when the map could not take it, the network is
   * undone here (another front end could not have seen it, nor refused its name).
   */
  private Future<Network> sharedOrUndone(Network n, Throwable failed) {
    if (failed == null) {
      return Future.succeededFuture(n);
    }
    LOG.warn("network {} could not be shared with the fleet; undone", n.id(), failed);
    return vertx
        .executeBlocking(() -> fleetNetworks.remove(n))
        .compose(v -> fabrics.forgetNetwork(n.id(), n.vni()))
        .transform(
            ar ->
                Future.failedFuture(
                    DockerException.unavailable(
                        "the network could not be shared with the fleet's other front ends; try"
                            + " again")));
  }

  private static <T> Future<T> fail(Throwable e) {
    return Future.failedFuture(e);
  }

  /** A subnet asked for: not too small, clear of the fleet's pool and of every fleet network. */
  private Cidr checkedSubnet(String s) {
    Cidr subnet = Cidr.parse(s);
    if (subnet.bits() > 30) {
      throw DockerException.invalid("invalid subnet %s: too small for containers", subnet);
    }
    boolean overlaps = Cidr.parse(fabrics.pool()).overlaps(subnet);
    for (Network n : fleetNetworks.all()) {
      overlaps |= Cidr.parse(n.subnet()).overlaps(subnet);
    }
    if (overlaps) {
      throw DockerException.forbidden("Pool overlaps with other one on this address space");
    }
    return subnet;
  }

  private Network fleetRecord(NetworkRecords.CreateNetwork c, String id, int i, Cidr asked) {
    Cidr subnet = asked != null ? asked : Cidr.parse(fabrics.poolSubnet(i));
    return NetworkRecords.userNetwork(
        c, id, subnet, Instant.now().toString(), Fabrics.FIRST_VNI + i);
  }

  /**
   * The account's networks on every live node, merged by id, with their members; in a fleet, its
   * user-defined networks as the front ends hold them (with the members the nodes report).
   */
  public Future<List<NetworkUse>> list(String owner) {
    Future<List<NetworkUse>> fromNodes = nodesList(owner);
    if (!vertx.isClustered()) {
      return fromNodes;
    }
    return Future.all(fromNodes, refreshed()) // the nodes asked meanwhile
        .map(
            all -> {
              List<NetworkUse> l = fromNodes.result();
              List<NetworkUse> out = new ArrayList<>();
              Map<String, NetworkUse> fleetWide = new LinkedHashMap<>();
              for (Network n : fleetNetworks.of(owner)) {
                fleetWide.put(n.id(), new NetworkUse(n, List.of()));
              }
              for (NetworkUse u : l) {
                String id = u.network().id();
                if (fleetWide.containsKey(id)) {
                  fleetWide.put(id, new NetworkUse(fleetWide.get(id).network(), u.members()));
                } else if (!fleetNetworks.known(id)) { // not a copy of a network removed since
                  out.add(u);
                }
              }
              out.addAll(fleetWide.values());
              return out;
            });
  }

  private Future<List<NetworkUse>> nodesList(String owner) {
    return listsByNode(owner)
        .map(
            lists -> {
              Map<String, NetworkUse> byId = new LinkedHashMap<>();
              lists
                  .values()
                  .forEach(
                      l ->
                          l.networks()
                              .forEach(
                                  u ->
                                      byId.merge(
                                          u.network().id(),
                                          u,
                                          (a, b) -> {
                                            List<Member> m = new ArrayList<>(a.members());
                                            m.addAll(b.members());
                                            return new NetworkUse(a.network(), m);
                                          })));
              return new ArrayList<>(byId.values());
            });
  }

  /**
   * The node a user-defined network lives on (one node's until the fabric carries them), found by
   * full id, name or id prefix among the account's networks on every live node; 404 when none has
   * it.
   */
  public Future<String> nodeOf(String owner, String ref) {
    return listsByNode(owner)
        .map(
            lists -> {
              for (int pass = 0; pass < 3; pass++) { // id, then name, then prefix: Docker's order
                for (Map.Entry<String, NetworkRecords.NetworkList> l : lists.entrySet()) {
                  for (NetworkUse u : l.getValue().networks()) {
                    Network n = u.network();
                    boolean match =
                        switch (pass) {
                          case 0 -> n.id().equals(ref);
                          case 1 -> n.name().equals(ref);
                          default -> !ref.isEmpty() && n.id().startsWith(ref);
                        };
                    if (match && !n.fabric()) {
                      return l.getKey();
                    }
                  }
                }
              }
              throw DockerException.notFound("network %s not found", ref);
            });
  }

  /** The account's networks as each live node has them, by node. */
  private Future<Map<String, NetworkRecords.NetworkList>> listsByNode(String owner) {
    List<Heartbeat> live = new ArrayList<>(agents.live());
    List<Future<NetworkRecords.NetworkList>> asks = new ArrayList<>();
    for (Heartbeat hb : live) {
      asks.add(agents.request(hb.cnUuid(), new NetworkRecords.ListNetworks(owner), SHORT_MS));
    }
    return Future.all(asks)
        .map(
            all -> {
              Map<String, NetworkRecords.NetworkList> out = new LinkedHashMap<>();
              for (int i = 0; i < live.size(); i++) {
                out.put(live.get(i).cnUuid(), asks.get(i).result());
              }
              return out;
            });
  }

  /** A network by full id, name or unique id prefix, as Docker resolves it. */
  public Future<NetworkUse> get(String owner, String ref) {
    return list(owner)
        .map(
            l -> {
              for (NetworkUse u : l) {
                if (u.network().id().equals(ref)) {
                  return u;
                }
              }
              for (NetworkUse u : l) {
                if (u.network().name().equals(ref)) {
                  return u;
                }
              }
              List<NetworkUse> p =
                  l.stream()
                      .filter(u -> !ref.isEmpty() && u.network().id().startsWith(ref))
                      .toList();
              if (p.size() == 1) {
                return p.get(0);
              }
              if (p.size() > 1) {
                throw DockerException.invalid(
                    "network %s is ambiguous (%d matches found based on ID prefix)", ref, p.size());
              }
              throw DockerException.notFound("network %s not found", ref);
            });
  }

  /**
   * Removes it from every node that has it; a fleet-wide one first from the front ends, unless a
   * running container anywhere is attached to it.
   */
  public Future<Void> remove(String owner, Network n) {
    if (n.fabric()) {
      return Future.failedFuture(
          DockerException.forbidden("%s is a pre-defined network and cannot be removed", n.name()));
    }
    if (vertx.isClustered() && fleetNetworks.byId(n.id()).isPresent()) {
      boolean used =
          index.all(owner).stream()
              .anyMatch(
                  r ->
                      r.state().running()
                          && r.spec().network().endpoints().stream()
                              .anyMatch(e -> n.id().equals(e.networkId())));
      if (used) {
        return Future.failedFuture(
            DockerException.forbidden(
                "error while removing network: network %s id %s has active endpoints",
                n.name(), n.id()));
      }
      return vertx
          .executeBlocking(() -> fleetNetworks.remove(n))
          .compose(
              shared ->
                  shared.recover(
                      e -> {
                        // this front end's copy says so; its start shares it again
                        LOG.warn("the removal of network {} could not be shared", n.id(), e);
                        return Future.succeededFuture();
                      }))
          .compose(v -> fabrics.forgetNetwork(n.id(), n.vni()))
          .compose(v -> removeFromNodes(owner, n).otherwise(e -> null));
    }
    return removeFromNodes(owner, n);
  }

  private Future<Void> removeFromNodes(String owner, Network n) {
    List<Future<AgentRequests.Ack>> asks = new ArrayList<>();
    for (Heartbeat hb : agents.live()) {
      asks.add(
          agents
              .request(hb.cnUuid(), new NetworkRecords.RemoveNetwork(owner, n.id()), SHORT_MS)
              .recover(
                  e ->
                      DockerException.of(e).kind() == ErrorKind.NOT_FOUND
                          ? Future.succeededFuture()
                          : Future.failedFuture(e)));
    }
    return Future.all(asks).mapEmpty();
  }

  /**
   * Attaches a container (running or not) to a network, on its node; in a fleet, to a fleet-wide
   * network with the address the front ends claim for it there.
   */
  public Future<ZoneRecord> connect(
      String owner, String network, String container, NetworkSpec.Endpoint e) {
    ZoneRecord r = index.resolve(owner, container);
    Network fleetWide =
        vertx.isClustered() ? fleetNetworks.find(owner, network).orElse(null) : null;
    if (fleetWide != null) {
      if (r.spec().network().endpoints().stream()
          .anyMatch(x -> fleetWide.id().equals(x.networkId()))) {
        return Future.failedFuture(
            DockerException.forbidden(
                "endpoint with name %s already exists in network %s",
                r.spec().name(), fleetWide.name()));
      }
      String id = r.spec().id();
      return fabrics
          .attach(fleetWide, r.cnUuid(), id, e.ipv4())
          .compose(
              f ->
                  agents
                      .request(
                          r.cnUuid(),
                          new NetworkRecords.Connect(
                              id,
                              new NetworkSpec.Endpoint(
                                      fleetWide.name(),
                                      fleetWide.id(),
                                      e.aliases(),
                                      e.ipv4(),
                                      e.mac())
                                  .withSettings(e.links(), e.driverOpts(), e.linkLocalIps())
                                  .withFabric(f)),
                          SHORT_MS)
                      .onFailure(x -> fabrics.release(f, id)))
          .onSuccess(index::put);
    }
    return agents
        .request(
            r.cnUuid(),
            new NetworkRecords.Connect(
                r.spec().id(),
                new NetworkSpec.Endpoint(network, null, e.aliases(), e.ipv4(), e.mac())
                    .withSettings(e.links(), e.driverOpts(), e.linkLocalIps())),
            SHORT_MS)
        .onSuccess(index::put);
  }

  /** Detaches a container from a network; the address it had on a fleet-wide one goes back. */
  public Future<ZoneRecord> disconnect(
      String owner, String network, String container, boolean force) {
    ZoneRecord r = index.resolve(owner, container);
    Network fleetWide =
        vertx.isClustered() ? fleetNetworks.find(owner, network).orElse(null) : null;
    if (fleetWide != null
        && r.spec().network().endpoints().stream()
            .noneMatch(x -> fleetWide.id().equals(x.networkId()))) {
      return Future.failedFuture(
          DockerException.forbidden(
              "container %s is not connected to network %s", r.spec().id(), fleetWide.name()));
    }
    String ref = fleetWide == null ? network : fleetWide.id();
    return agents
        .request(r.cnUuid(), new NetworkRecords.Disconnect(r.spec().id(), ref, force), SHORT_MS)
        .onSuccess(index::put)
        .onSuccess(
            after -> {
              for (NetworkSpec.Endpoint e : r.spec().network().endpoints()) {
                if (fleetWide != null && fleetWide.id().equals(e.networkId())) {
                  fabrics.release(e.fabric(), r.spec().id());
                }
              }
            });
  }

  /**
   * In a fleet, a new container's attachments to fleet-wide networks on node {@code cn}: each
   * resolved, with the address claimed for it (the one it asked for, or any) and the node's
   * gateway; the others as they are. What was claimed goes back when one fails.
   */
  Future<ContainerSpec> onNode(ContainerSpec spec, String cn) {
    if (!vertx.isClustered()) {
      return Future.succeededFuture(spec);
    }
    List<NetworkSpec.Endpoint> in = spec.network().endpoints();
    List<Future<NetworkSpec.Endpoint>> out = new ArrayList<>();
    for (NetworkSpec.Endpoint e : in) {
      Network n = fleetNetwork(spec.owner(), e);
      out.add(
          n == null
              ? Future.succeededFuture(e)
              : fabrics
                  .attach(n, cn, spec.id(), e.ipv4())
                  .map(f -> e.resolved(n.id(), n.name()).withFabric(f)));
    }
    return Future.join(out)
        .transform(
            ar -> {
              if (ar.succeeded()) {
                return Future.succeededFuture(
                    spec.withNetwork(
                        spec.network().withEndpoints(out.stream().map(Future::result).toList())));
              }
              for (Future<NetworkSpec.Endpoint> f : out) {
                if (f.succeeded()) {
                  fabrics.release(f.result().fabric(), spec.id());
                }
              }
              return Future.failedFuture(
                  out.stream().filter(Future::failed).findFirst().orElseThrow().cause());
            });
  }

  /** The fleet-wide network an attachment names, or null (the account's fabric, none, a node's). */
  Network fleetNetwork(String owner, NetworkSpec.Endpoint e) {
    if (!vertx.isClustered()
        || e.network().equals(NetworkRecords.FABRIC)
        || e.network().equals("none")) {
      return null;
    }
    return fleetNetworks.find(owner, e.network()).orElse(null);
  }
}
