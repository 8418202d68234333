package org.sdcdocker.protocol.agent;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.sdcdocker.protocol.Cidr;
import org.sdcdocker.protocol.ContainerId;
import org.sdcdocker.protocol.DockerException;
import org.sdcdocker.protocol.agent.AgentRequests.Ack;

/**
 * Networks: an account's fabric (its default bridge network, Docker's {@code bridge}) and the
 * user-defined bridge networks, kept by the agent of the compute node whose bridges carry them.
 */
public final class NetworkRecords {
  private NetworkRecords() {}

  /** The name every account's fabric has, as Docker's default network. */
  public static final String FABRIC = "bridge";

  /** Docker's rule for a network's name: any printable name. */
  private static final Pattern NAME = Pattern.compile("[^\\x00-\\x1f\\x7f/]{1,255}");

  /**
   * What {@code name} stands for on a network as zone {@code asking} asks it: the target of one of
   * its links there ("container:alias", or a container known by its own name), else the name.
   */
  public static String linkTarget(ContainerSpec asking, String networkId, String name) {
    for (NetworkSpec.Endpoint e : asking.network().endpoints()) {
      if (!networkId.equals(e.networkId())) {
        continue;
      }
      for (String link : e.links()) {
        int colon = link.lastIndexOf(':');
        String alias = colon < 0 ? link : link.substring(colon + 1);
        if (alias.equalsIgnoreCase(name)) {
          String target = colon < 0 ? link : link.substring(0, colon);
          return target.startsWith("/") ? target.substring(1) : target;
        }
      }
    }
    return name;
  }

  /**
   * Whether a zone answers to {@code name} on a network, as Docker's resolver has it: its name, an
   * alias of its endpoint there, its short id.
   */
  public static boolean answersTo(ContainerSpec zone, String networkId, String name) {
    return name.equalsIgnoreCase(zone.name())
        || name.equals(ContainerId.shortOf(zone.id()))
        || zone.network().endpoints().stream()
            .anyMatch(
                e ->
                    networkId.equals(e.networkId())
                        && e.aliases().stream().anyMatch(name::equalsIgnoreCase));
  }

  /** Refuses a name a new user-defined network cannot have, as Docker does. */
  public static void checkNewName(String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw DockerException.invalid(
          "invalid network name \"%s\": it must be 1 to 255 printable characters, no \"/\"", name);
    }
    if (name.equals(FABRIC) || name.equals("none") || name.equals("host")) {
      throw DockerException.forbidden("%s is a pre-defined network and cannot be created", name);
    }
  }

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

  /**
   * The record of a new user-defined network on {@code subnet} (its gateway, range and auxiliary
   * addresses checked against it, as Docker checks them): a node's ({@code vni} 0) or the fleet's.
   */
  public static Network userNetwork(
      CreateNetwork c, String id, Cidr subnet, String created, int vni) {
    String gateway =
        c.gateway() == null || c.gateway().isEmpty() ? Cidr.dotted(subnet.host(1)) : c.gateway();
    if (!subnet.contains(Cidr.addr(gateway))) {
      throw DockerException.forbidden("no matching subnet for gateway %s", gateway);
    }
    String range =
        c.ipRange() == null || c.ipRange().isEmpty() ? null : Cidr.parse(c.ipRange()).toString();
    if (range != null && !subnet.contains(Cidr.parse(range))) {
      throw DockerException.forbidden("no matching subnet for range %s", range);
    }
    Map<String, String> aux = c.auxAddresses() == null ? Map.of() : c.auxAddresses();
    for (String a : aux.values()) {
      if (!subnet.contains(Cidr.addr(a))) {
        throw DockerException.forbidden("no matching subnet for aux-address %s", a);
      }
    }
    return new Network(
        id,
        c.name(),
        c.owner(),
        "bridge",
        subnet.toString(),
        gateway,
        range,
        c.internal(),
        c.labels(),
        created,
        false,
        aux,
        vni);
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
