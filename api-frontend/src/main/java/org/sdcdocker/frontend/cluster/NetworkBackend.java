package org.sdcdocker.frontend.cluster;

import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sdcdocker.protocol.DockerException;
import org.sdcdocker.protocol.ErrorKind;
import org.sdcdocker.protocol.agent.AgentEvents.Heartbeat;
import org.sdcdocker.protocol.agent.AgentRequests;
import org.sdcdocker.protocol.agent.NetworkRecords;
import org.sdcdocker.protocol.agent.NetworkRecords.Member;
import org.sdcdocker.protocol.agent.NetworkRecords.Network;
import org.sdcdocker.protocol.agent.NetworkRecords.NetworkUse;
import org.sdcdocker.protocol.agent.NetworkSpec;
import org.sdcdocker.protocol.agent.ZoneRecord;

/**
 * Networks live with the bridges that carry them, on compute nodes; the front end asks the nodes
 * and merges what they say (an account's fabric has the same id on every node).
 */
public final class NetworkBackend {
  private static final long SHORT_MS = 30_000;

  private final AgentDirectory agents;
  private final ContainerIndex index;

  public NetworkBackend(AgentDirectory agents, ContainerIndex index) {
    this.agents = agents;
    this.index = index;
  }

  /** A user-defined network on the node where containers are placed. */
  public Future<Network> create(NetworkRecords.CreateNetwork c) {
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

  /** The account's networks on every live node, merged by id, with their members. */
  public Future<List<NetworkUse>> list(String owner) {
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

  /** Removes it from every node that has it. */
  public Future<Void> remove(String owner, Network n) {
    if (n.fabric()) {
      return Future.failedFuture(
          DockerException.forbidden("%s is a pre-defined network and cannot be removed", n.name()));
    }
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

  /** Attaches a container (running or not) to a network, on its node. */
  public Future<ZoneRecord> connect(
      String owner, String network, String container, NetworkSpec.Endpoint e) {
    ZoneRecord r = index.resolve(owner, container);
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

  public Future<ZoneRecord> disconnect(
      String owner, String network, String container, boolean force) {
    ZoneRecord r = index.resolve(owner, container);
    return agents
        .request(r.cnUuid(), new NetworkRecords.Disconnect(r.spec().id(), network, force), SHORT_MS)
        .onSuccess(index::put);
  }
}
