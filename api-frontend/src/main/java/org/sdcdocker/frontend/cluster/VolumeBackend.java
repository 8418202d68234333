package org.sdcdocker.frontend.cluster;

import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.sdcdocker.protocol.DockerException;
import org.sdcdocker.protocol.agent.AgentEvents.Heartbeat;
import org.sdcdocker.protocol.agent.VolumeRecords;
import org.sdcdocker.protocol.agent.VolumeRecords.VolumeUse;

/** Volumes live with their data on a compute node; the front end asks the nodes. */
public final class VolumeBackend {
  private static final long SHORT_MS = 30_000;

  private final AgentDirectory agents;

  public VolumeBackend(AgentDirectory agents) {
    this.agents = agents;
  }

  /**
   * A volume on the node where containers are placed (a fleet's volume scheduling is for later).
   */
  public Future<VolumeRecords.Volume> create(
      String owner, String name, Map<String, String> labels) {
    return agents.request(
        Placement.anyNode(agents),
        new VolumeRecords.CreateVolume(name, owner, labels, false),
        SHORT_MS);
  }

  /** The account's volumes on every live node, with their users. */
  public Future<List<VolumeUse>> list(String owner) {
    List<Future<VolumeRecords.VolumeList>> asks = new ArrayList<>();
    for (Heartbeat hb : agents.live()) {
      asks.add(agents.request(hb.cnUuid(), new VolumeRecords.ListVolumes(owner), SHORT_MS));
    }
    return Future.all(asks)
        .map(
            all -> {
              List<VolumeUse> out = new ArrayList<>();
              asks.forEach(f -> out.addAll(f.result().volumes()));
              return out;
            });
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

  /** Removes it where it is; refused (409) while a container uses it. */
  public Future<Void> remove(String owner, String name) {
    return list(owner)
        .compose(
            l -> {
              for (Heartbeat hb : agents.live()) {
                // ask the node that has it: the first node whose list holds the name
                if (l.stream().anyMatch(v -> v.volume().name().equals(name))) {
                  return agents
                      .request(hb.cnUuid(), new VolumeRecords.RemoveVolume(name, owner), SHORT_MS)
                      .mapEmpty();
                }
              }
              return Future.failedFuture(DockerException.notFound("get %s: no such volume", name));
            });
  }
}
