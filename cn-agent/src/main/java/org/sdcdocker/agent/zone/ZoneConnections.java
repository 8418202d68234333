package org.sdcdocker.agent.zone;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.sdcdocker.agent.net.ZoneNetwork;
import org.sdcdocker.protocol.DockerException;
import org.sdcdocker.protocol.agent.NetworkRecords.Network;
import org.sdcdocker.protocol.agent.NetworkSpec;
import org.sdcdocker.protocol.agent.NetworkSpec.Endpoint;
import org.sdcdocker.protocol.agent.ZoneRecord;

/**
 * {@code docker network connect/disconnect}: a zone's endpoints change, and a running zone's
 * interfaces with them.
 */
public final class ZoneConnections {
  private final LinuxZoneBackend zones;
  private final ZoneNetwork net;

  public ZoneConnections(LinuxZoneBackend zones) {
    this.zones = zones;
    this.net = zones.network();
  }

  public ZoneRecord connect(String zoneId, Endpoint wanted) throws IOException {
    return zones.change(
        zoneId,
        "update",
        (r, dir) -> {
          NetworkSpec n = r.spec().network();
          refuseShared(n);
          Endpoint e =
              net.resolve(r.spec().owner(), n.withEndpoints(List.of(wanted))).endpoints().get(0);
          if (n.endpoints().stream().anyMatch(x -> e.networkId().equals(x.networkId()))) {
            throw DockerException.forbidden(
                "endpoint with name %s already exists in network %s", r.spec().name(), e.network());
          }
          List<Endpoint> all = new ArrayList<>(n.endpoints());
          all.add(e);
          ZoneRecord next = r.withSpec(r.spec().withNetwork(n.withEndpoints(all)));
          return r.state().running()
              ? next.withNet(net.connect(next.spec(), dir, r.net(), e))
              : next;
        });
  }

  public ZoneRecord disconnect(String zoneId, String network, boolean force) throws IOException {
    return zones.change(
        zoneId,
        "update",
        (r, dir) -> {
          NetworkSpec n = r.spec().network();
          refuseShared(n);
          Network target = net.networks().resolve(r.spec().owner(), network);
          if (n.endpoints().stream().noneMatch(x -> target.id().equals(x.networkId()))) {
            throw DockerException.forbidden(
                "container %s is not connected to network %s", r.spec().id(), network);
          }
          List<Endpoint> rest =
              n.endpoints().stream().filter(x -> !target.id().equals(x.networkId())).toList();
          ZoneRecord next = r.withSpec(r.spec().withNetwork(n.withEndpoints(rest)));
          return r.state().running()
              ? next.withNet(net.disconnect(next.spec(), dir, r.net(), target.id()))
              : next;
        });
  }

  private static void refuseShared(NetworkSpec n) {
    if (n.sharesContainer()) {
      throw DockerException.forbidden(
          "container sharing network namespace with another container or host cannot "
              + "be connected to any other network");
    }
    if (n.mode().equals("none")) {
      throw DockerException.forbidden(
          "container cannot be disconnected from host network or connected to host " + "network");
    }
  }
}
