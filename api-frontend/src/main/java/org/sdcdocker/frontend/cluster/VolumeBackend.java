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
 * #holders}).
 */
public final class VolumeBackend {
  private static final long SHORT_MS = 30_000;

  private final AgentDirectory agents;

  public VolumeBackend(AgentDirectory agents) {
    this.agents = agents;
  }

  /**
   * The volume of that name when a live node holds it already (Docker answers a create of an
   * existing name with it), else a new one on the live node with the fewest of the account's
   * volumes, then the fewest containers: the volumes a project makes before its containers land on
   * different nodes, and so do the containers that mount them.
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
              return agents.request(
                  cn, new VolumeRecords.CreateVolume(name, owner, labels, false), SHORT_MS);
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
        .map(
            l ->
                l.stream()
                    .filter(v -> v.volume().name().equals(name))
                    .findFirst()
                    .orElseThrow(() -> DockerException.notFound("get %s: no such volume", name)));
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
                return Future.failedFuture(
                    DockerException.notFound("get %s: no such volume", name));
              }
              List<Future<?>> removals = new ArrayList<>();
              for (String cn : nodes) {
                removals.add(
                    agents.request(cn, new VolumeRecords.RemoveVolume(name, owner), SHORT_MS));
              }
              return Future.all(removals).mapEmpty();
            });
  }
}
