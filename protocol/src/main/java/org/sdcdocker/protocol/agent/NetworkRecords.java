package org.sdcdocker.protocol.agent;

import java.util.List;
import java.util.Map;
import org.sdcdocker.protocol.agent.AgentRequests.Ack;

/**
 * Networks: an account's fabric (its default bridge network, Docker's {@code bridge}) and the
 * user-defined bridge networks, kept by the agent of the compute node whose bridges carry them.
 */
public final class NetworkRecords {
  private NetworkRecords() {}

  /** The name every account's fabric has, as Docker's default network. */
  public static final String FABRIC = "bridge";

  /** A network of an account; {@code fabric} marks the account's default one. */
  public record Network(
      String id,
      String name,
      String owner,
      String driver,
      String subnet,
      String gateway,
      String ipRange,
      boolean internal,
      Map<String, String> labels,
      String created,
      boolean fabric,
      Map<String, String> auxAddresses,
      int vni) {
    public Network {
      labels = labels == null ? Map.of() : Map.copyOf(labels);
      auxAddresses = auxAddresses == null ? Map.of() : Map.copyOf(auxAddresses);
    }

    /** Whether the network spans the fleet: its VNI carries it between nodes. */
    public boolean spansFleet() {
      return vni > 0;
    }

    public Network(
        String id,
        String name,
        String owner,
        String driver,
        String subnet,
        String gateway,
        String ipRange,
        boolean internal,
        Map<String, String> labels,
        String created,
        boolean fabric) {
      this(
          id, name, owner, driver, subnet, gateway, ipRange, internal, labels, created, fabric,
          Map.of(), 0);
    }
  }

  /** Create a user-defined network; null subnet, gateway or range are chosen by the agent. */
  public record CreateNetwork(
      String name,
      String owner,
      String subnet,
      String gateway,
      String ipRange,
      boolean internal,
      Map<String, String> labels,
      Map<String, String> auxAddresses)
      implements AgentRequest<Network> {
    public CreateNetwork(
        String name,
        String owner,
        String subnet,
        String gateway,
        String ipRange,
        boolean internal,
        Map<String, String> labels) {
      this(name, owner, subnet, gateway, ipRange, internal, labels, Map.of());
    }
  }

  /** The networks of an account, each with its endpoints. */
  public record ListNetworks(String owner) implements AgentRequest<NetworkList> {}

  /** One container's endpoint on a network, as inspect shows it. */
  public record Member(
      String zoneId, String zoneName, String ifname, String ip, int prefixLen, String mac) {}

  /** A network and its members. */
  public record NetworkUse(Network network, List<Member> members) {
    public NetworkUse {
      members = members == null ? List.of() : List.copyOf(members);
    }
  }

  /** The answer to ListNetworks. */
  public record NetworkList(List<NetworkUse> networks) {
    public NetworkList {
      networks = networks == null ? List.of() : List.copyOf(networks);
    }
  }

  /** Remove a network (by id); refused while a zone is attached. */
  public record RemoveNetwork(String owner, String id) implements AgentRequest<Ack> {}

  /** Attach a zone to one more network (also while it runs). */
  public record Connect(String zoneId, NetworkSpec.Endpoint endpoint)
      implements AgentRequest<ZoneRecord> {}

  /** Detach a zone from a network; {@code force} for a zone that is not running as well. */
  public record Disconnect(String zoneId, String network, boolean force)
      implements AgentRequest<ZoneRecord> {}
}
