package org.sdcdocker.frontend.cluster;

import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.sdcdocker.protocol.DockerException;
import org.sdcdocker.protocol.agent.AgentEvents.Heartbeat;
import org.sdcdocker.protocol.agent.VolumeRecords;
import org.sdcdocker.protocol.agent.VolumeRecords.VolumeUse;

/**
 * Volumes live with their data on a compute node; the front end asks the nodes. A name is one
 * volume of its account: a create of a name a node holds gives that volume back (as Docker's), a
 * removal removes it where it is, and a container that mounts it goes to its node ({@link
 * #holders}). In a fleet the first create of a name claims its node across the front ends ({@link
 * VolumePlaces}): concurrent creates of one name through several front ends make one volume, and a
 * volume whose node is down is answered with a 503 that names the node, not as missing.
 */
public final class VolumeBackend {
  private static final long SHORT_MS = 30_000;

  private final AgentDirectory agents;
  private final VolumePlaces places;

  VolumeBackend(AgentDirectory agents, VolumePlaces places) {
    this.agents = agents;
    this.places = places;
  }

  /**
   * The volume of that name when a live node holds it already (Docker answers a create of an
   * existing name with it), else a new one on the live node with the fewest of the account's
   * volumes, then the fewest containers: the volumes a project makes before its containers land on
   * different nodes, and so do the containers that mount them. In a fleet the node is claimed for
   * the name first; a create through another front end that claimed it first wins, and this one
   * goes to its node (a node's create of a volume it has gives that volume).
   */
  public Future<VolumeRecords.Volume> create(
      String owner, String name, Map<String, String> labels) {
    return byNode(agents, owner)
        .compose(
            nodes -> {
              for (List<VolumeUse> held : nodes.values()) {
                for (VolumeUse v : held) {
                  if (v.volume().name().equals(name)) {
                    return Future.succeededFuture(v.volume());
                  }
                }
              }
              String cn =
                  agents.live().stream()
                      .min(
                          Comparator.<Heartbeat>comparingInt(
                                  h -> nodes.getOrDefault(h.cnUuid(), List.of()).size())
                              .thenComparingInt(Heartbeat::zones))
                      .map(Heartbeat::cnUuid)
                      .orElseGet(() -> Placement.anyNode(agents)); // none live: its 503
              return places
                  .claim(owner, name, cn)
                  .compose(
                      at -> {
                        Future<VolumeRecords.Volume> made =
                            agents.request(
                                at,
                                new VolumeRecords.CreateVolume(name, owner, labels, false),
                                SHORT_MS);
                        return at.equals(cn)
                            ? made.onFailure(e -> places.forget(owner, name, cn))
                            : made; // another create's node: a node that is down says so (503)
                      });
            });
  }

  /**
   * The live nodes that hold each of the account's volumes, by name: one node for a name, unless
   * containers on two nodes made the same name before their creates were placed by it.
   */
  public static Future<Map<String, List<String>>> holders(AgentDirectory agents, String owner) {
    return byNode(agents, owner)
        .map(
            nodes -> {
              Map<String, List<String>> out = new TreeMap<>();
              nodes.forEach(
                  (cn, held) ->
                      held.forEach(
                          v ->
                              out.computeIfAbsent(v.volume().name(), n -> new ArrayList<>())
                                  .add(cn)));
              return out;
            });
  }

  /** The account's volumes on each live node, by node (in the nodes' order). */
  private static Future<Map<String, List<VolumeUse>>> byNode(AgentDirectory agents, String owner) {
    Map<String, Future<VolumeRecords.VolumeList>> asks = new TreeMap<>();
    for (Heartbeat hb : agents.live()) {
      asks.put(
          hb.cnUuid(), agents.request(hb.cnUuid(), new VolumeRecords.ListVolumes(owner), SHORT_MS));
    }
    return Future.all(new ArrayList<>(asks.values()))
        .map(
            all -> {
              Map<String, List<VolumeUse>> out = new TreeMap<>();
              asks.forEach((cn, f) -> out.put(cn, f.result().volumes()));
              return out;
            });
  }

  /** The account's volumes on every live node, with their users. */
  public Future<List<VolumeUse>> list(String owner) {
    return byNode(agents, owner)
        .map(nodes -> nodes.values().stream().flatMap(List::stream).toList());
  }

  /** The bytes each of the account's volumes holds, from every live node. */
  public Future<Map<String, Long>> sizes(String owner) {
    List<Future<VolumeRecords.SizeMap>> asks = new ArrayList<>();
    for (Heartbeat hb : agents.live()) {
      asks.add(agents.request(hb.cnUuid(), new VolumeRecords.VolumeSizes(owner), SHORT_MS));
    }
    return Future.all(asks)
        .map(
            all -> {
              Map<String, Long> out = new HashMap<>();
              asks.forEach(f -> out.putAll(f.result().sizes()));
              return out;
            });
  }

  public Future<VolumeUse> get(String owner, String name) {
    return list(owner)
        .compose(
            l ->
                l.stream()
                    .filter(v -> v.volume().name().equals(name))
                    .findFirst()
                    .map(Future::succeededFuture)
                    .orElseGet(() -> missing(owner, name)));
  }

  /**
   * Removes it on the node that holds it (on each, should two hold the name); refused (409) while a
   * container uses it.
   */
  public Future<Void> remove(String owner, String name) {
    return holders(agents, owner)
        .compose(
            held -> {
              List<String> nodes = held.getOrDefault(name, List.of());
              if (nodes.isEmpty()) {
                return missing(owner, name);
              }
              List<Future<?>> removals = new ArrayList<>();
              for (String cn : nodes) {
                removals.add(
                    agents
                        .request(cn, new VolumeRecords.RemoveVolume(name, owner), SHORT_MS)
                        .compose(v -> places.forget(owner, name, cn)));
              }
              return Future.all(removals).mapEmpty();
            });
  }

  /**
   * A volume no live node holds: a 503 that names its node when that node is down (the volume is
   * there, out of reach), else Docker's 404.
   */
  private <T> Future<T> missing(String owner, String name) {
    return places
        .where(owner, name)
        .compose(
            at -> {
              if (at != null && agents.last(at) != null && !agents.isLive(at)) {
                return Future.failedFuture(
                    DockerException.unavailable(
                        "volume %s is on compute node %s, which is not available now", name, at));
              }
              return Future.failedFuture(DockerException.notFound("get %s: no such volume", name));
            });
  }
}
