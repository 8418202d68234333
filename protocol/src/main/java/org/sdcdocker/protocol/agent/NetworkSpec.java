package org.sdcdocker.protocol.agent;

import java.util.List;
import java.util.Map;

/**
 * How a zone is networked. {@code mode} is {@link NetworkRecords#FABRIC} (the account's fabric), a
 * user-defined network's name, {@code none} (loopback only) or {@code container:<id>} (another
 * zone's namespace); {@code endpoints} are the networks it is attached to, the mode's first.
 */
public record NetworkSpec(
    String mode,
    List<Endpoint> endpoints,
    List<PortSpec> ports,
    List<String> exposed,
    boolean publishAll,
    List<String> dns,
    List<String> dnsSearch,
    List<String> dnsOptions,
    List<String> extraHosts,
    List<Link> links,
    Fabric fabric) {

  /** The network of a zone that said nothing: its account's fabric. */
  public static final NetworkSpec DEFAULT =
      new NetworkSpec(
          NetworkRecords.FABRIC,
          List.of(new Endpoint(NetworkRecords.FABRIC, null, List.of(), null, null)),
          List.of(),
          List.of(),
          false,
          List.of(),
          List.of(),
          List.of(),
          List.of(),
          List.of(),
          null);

  public NetworkSpec {
    mode = mode == null || mode.isEmpty() || mode.equals("default") ? NetworkRecords.FABRIC : mode;
    endpoints = endpoints == null ? List.of() : List.copyOf(endpoints);
    ports = ports == null ? List.of() : List.copyOf(ports);
    exposed = exposed == null ? List.of() : List.copyOf(exposed);
    dns = dns == null ? List.of() : List.copyOf(dns);
    dnsSearch = dnsSearch == null ? List.of() : List.copyOf(dnsSearch);
    dnsOptions = dnsOptions == null ? List.of() : List.copyOf(dnsOptions);
    extraHosts = extraHosts == null ? List.of() : List.copyOf(extraHosts);
    links = links == null ? List.of() : List.copyOf(links);
  }

  /**
   * An attachment to a network: the network as given (name or id) until it is resolved, then its id
   * in {@code networkId}; aliases; the address and MAC asked for (null: any). In a fleet, an
   * attachment to a user-defined network has its {@code fabric} from the front ends (the network's
   * VNI and subnet, the node's gateway on it, the zone's address); null otherwise.
   */
  public record Endpoint(
      String network,
      String networkId,
      List<String> aliases,
      String ipv4,
      String mac,
      List<String> links,
      Map<String, String> driverOpts,
      List<String> linkLocalIps,
      Fabric fabric) {
    public Endpoint {
      aliases = aliases == null ? List.of() : List.copyOf(aliases);
      links = links == null ? List.of() : List.copyOf(links);
      driverOpts = driverOpts == null ? Map.of() : Map.copyOf(driverOpts);
      linkLocalIps = linkLocalIps == null ? List.of() : List.copyOf(linkLocalIps);
    }

    public Endpoint(
        String network, String networkId, List<String> aliases, String ipv4, String mac) {
      this(network, networkId, aliases, ipv4, mac, List.of(), Map.of(), List.of(), null);
    }

    public Endpoint resolved(String id, String name) {
      return new Endpoint(name, id, aliases, ipv4, mac, links, driverOpts, linkLocalIps, fabric);
    }

    /**
     * The same with the settings Docker keeps for the endpoint and shows back: links, driver
     * options, link-local addresses.
     */
    public Endpoint withSettings(
        List<String> links, Map<String, String> driverOpts, List<String> linkLocalIps) {
      return new Endpoint(
          network, networkId, aliases, ipv4, mac, links, driverOpts, linkLocalIps, fabric);
    }

    /** The same on the fleet-wide network {@code f} describes. */
    public Endpoint withFabric(Fabric f) {
      return new Endpoint(
          network, networkId, aliases, ipv4, mac, links, driverOpts, linkLocalIps, f);
    }
  }

  /**
   * A published port: container port and protocol, host address ("" any) and host ports (0: any
   * free one).
   */
  public record PortSpec(
      int containerPort, String protocol, String hostIp, int hostPortStart, int hostPortEnd) {}

  /**
   * In a fleet, a network as the front ends allocated it: its VNI and subnet (the same on every
   * node), the address of its bridge on the zone's node (the zone's gateway there) and the zone's
   * own address, kept for the zone's life; whether it is internal (a user-defined network's). Null
   * in the embedded default, where networks are the node's own bridges.
   */
  public record Fabric(int vni, String subnet, String gateway, String address, boolean internal) {
    public Fabric(int vni, String subnet, String gateway, String address) {
      this(vni, subnet, gateway, address, false);
    }
  }

  /** A legacy link: the target zone, its name, and the alias it is known by here. */
  public record Link(String zoneId, String name, String alias) {}

  /** Whether the zone shares another zone's namespace. */
  public boolean sharesContainer() {
    return mode.startsWith("container:");
  }

  /** The same spec with other endpoints. */
  public NetworkSpec withEndpoints(List<Endpoint> e) {
    return with(mode, e, links, fabric);
  }

  /** The same on the fleet's fabric {@code f}. */
  public NetworkSpec withFabric(Fabric f) {
    return with(mode, endpoints, links, f);
  }

  /** Whether the zone is attached to its account's fabric. */
  public boolean onFabric() {
    return endpoints.stream().anyMatch(e -> NetworkRecords.FABRIC.equals(e.network()));
  }

  /** The same with another mode and links (their targets resolved to ids). */
  public NetworkSpec withModeAndLinks(String newMode, List<Link> newLinks) {
    return with(newMode, endpoints, newLinks, fabric);
  }

  private NetworkSpec with(String m, List<Endpoint> e, List<Link> l, Fabric f) {
    return new NetworkSpec(
        m, e, ports, exposed, publishAll, dns, dnsSearch, dnsOptions, extraHosts, l, f);
  }
}
