package org.sdcdocker.frontend.translate;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sdcdocker.protocol.ContainerId;
import org.sdcdocker.protocol.agent.ContainerSpec;
import org.sdcdocker.protocol.agent.NetStatus;
import org.sdcdocker.protocol.agent.NetStatus.Attached;
import org.sdcdocker.protocol.agent.NetStatus.BoundPort;
import org.sdcdocker.protocol.agent.NetworkRecords;
import org.sdcdocker.protocol.agent.NetworkSpec;
import org.sdcdocker.protocol.agent.ZoneRecord;

/** A zone's network in Docker's shapes: inspect's NetworkSettings, list's Ports and Networks. */
public final class NetworkView {
  private NetworkView() {}

  /** HostConfig.NetworkMode as Docker reports it. */
  static String mode(ContainerSpec s) {
    return s.network().mode();
  }

  /** {@code NetworkSettings} of inspect. */
  static Map<String, Object> settings(ZoneRecord r) {
    NetStatus st = r.net();
    boolean running = r.state().running();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("Bridge", "");
    m.put("SandboxID", st.sandbox().isEmpty() ? "" : sha(st.sandbox()));
    m.put("SandboxKey", st.sandbox());
    m.put("Ports", running ? ports(r) : Map.of());
    m.put("HairpinMode", false);
    m.put("LinkLocalIPv6Address", "");
    m.put("LinkLocalIPv6PrefixLen", 0);
    m.put("SecondaryIPAddresses", null);
    m.put("SecondaryIPv6Addresses", null);
    Attached fabric =
        r.spec().network().endpoints().stream()
            .filter(e -> NetworkRecords.FABRIC.equals(e.network()))
            .map(e -> st.on(e.networkId()))
            .filter(a -> a != null)
            .findFirst()
            .orElse(null);
    m.put("EndpointID", fabric == null ? "" : endpointId(fabric.networkId(), r.spec().id()));
    m.put("Gateway", fabric == null ? "" : fabric.gateway());
    m.put("GlobalIPv6Address", "");
    m.put("GlobalIPv6PrefixLen", 0);
    m.put("IPAddress", fabric == null ? "" : fabric.ip());
    m.put("IPPrefixLen", fabric == null ? 0 : fabric.prefixLen());
    m.put("IPv6Gateway", "");
    m.put("MacAddress", fabric == null ? "" : fabric.mac());
    m.put("Networks", networks(r, true));
    return m;
  }

  /** Per network name: the endpoint's settings (empty addresses while the zone does not run). */
  static Map<String, Object> networks(ZoneRecord r, boolean full) {
    Map<String, Object> out = new LinkedHashMap<>();
    ContainerSpec s = r.spec();
    if (s.network().mode().equals("none")) {
      out.put(
          "none",
          endpoint(r, new NetworkSpec.Endpoint("none", "", List.of(), null, null), null, full));
    }
    for (NetworkSpec.Endpoint e : s.network().endpoints()) {
      out.put(
          e.network(),
          endpoint(r, e, r.net().on(e.networkId() == null ? "" : e.networkId()), full));
    }
    return out;
  }

  private static Map<String, Object> endpoint(
      ZoneRecord r, NetworkSpec.Endpoint e, Attached a, boolean full) {
    Map<String, Object> m = new LinkedHashMap<>();
    Map<String, Object> ipam = new LinkedHashMap<>();
    if (e.ipv4() != null) {
      ipam.put("IPv4Address", e.ipv4());
    }
    if (!e.linkLocalIps().isEmpty()) {
      ipam.put("LinkLocalIPs", e.linkLocalIps());
    }
    m.put("IPAMConfig", ipam.isEmpty() ? null : ipam);
    m.put("Links", e.links().isEmpty() ? null : e.links());
    m.put("Aliases", e.aliases().isEmpty() ? null : e.aliases());
    m.put(
        "MacAddress",
        a != null ? a.mac() : e.mac() == null ? "" : e.mac()); // the asked-for one until it runs
    m.put("DriverOpts", e.driverOpts().isEmpty() ? null : e.driverOpts());
    m.put("GwPriority", 0);
    m.put("NetworkID", e.networkId() == null ? "" : e.networkId());
    m.put("EndpointID", a == null ? "" : endpointId(a.networkId(), r.spec().id()));
    m.put("Gateway", a == null ? "" : a.gateway());
    m.put("IPAddress", a == null ? "" : a.ip());
    m.put("IPPrefixLen", a == null ? 0 : a.prefixLen());
    m.put("IPv6Gateway", "");
    m.put("GlobalIPv6Address", "");
    m.put("GlobalIPv6PrefixLen", 0);
    if (full) {
      List<String> names = null;
      if (!NetworkRecords.FABRIC.equals(e.network()) && !"none".equals(e.network())) {
        names = new ArrayList<>(List.of(r.spec().name(), ContainerId.shortOf(r.spec().id())));
        names.addAll(e.aliases());
      }
      m.put("DNSNames", names);
    }
    return m;
  }

  /** Every exposed port, with its host bindings or null (published nowhere). */
  static Map<String, Object> ports(ZoneRecord r) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (String e : r.spec().network().exposed()) {
      out.put(e, null);
    }
    for (BoundPort b : r.net().ports()) {
      String k = b.containerPort() + "/" + b.protocol();
      @SuppressWarnings("unchecked")
      List<Map<String, String>> l =
          out.get(k) instanceof List<?> have ? (List<Map<String, String>>) have : new ArrayList<>();
      l.add(Map.of("HostIp", b.hostIp(), "HostPort", Integer.toString(b.hostPort())));
      out.put(k, l);
    }
    return out;
  }

  /** {@code Ports} of a list entry: published ports with their host side, exposed ones without. */
  static List<Map<String, Object>> summaryPorts(ZoneRecord r) {
    List<Map<String, Object>> out = new ArrayList<>();
    if (!r.state().running()) {
      return out;
    }
    for (BoundPort b : r.net().ports()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("IP", b.hostIp());
      m.put("PrivatePort", b.containerPort());
      m.put("PublicPort", b.hostPort());
      m.put("Type", b.protocol());
      out.add(m);
    }
    for (String e : r.spec().network().exposed()) {
      String[] pp = e.split("/");
      int port = Integer.parseInt(pp[0]);
      if (r.net().ports().stream()
          .noneMatch(b -> b.containerPort() == port && b.protocol().equals(pp[1]))) {
        out.add(Map.of("PrivatePort", port, "Type", pp[1]));
      }
    }
    return out;
  }

  /** An endpoint's id: stable for a container on a network (inspect and network inspect agree). */
  public static String endpointId(String networkId, String zoneId) {
    return sha(networkId + "/" + zoneId);
  }

  private static String sha(String s) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
