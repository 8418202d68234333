package org.sdcdocker.frontend.endpoint;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.sdcdocker.frontend.translate.NetworkView;
import org.sdcdocker.protocol.DockerException;
import org.sdcdocker.protocol.agent.NetworkRecords.Member;
import org.sdcdocker.protocol.agent.NetworkRecords.Network;
import org.sdcdocker.protocol.agent.NetworkRecords.NetworkUse;

/** Networks in Docker's shape (swagger's Network), and Docker's network filters. */
final class NetworkViews {
  private NetworkViews() {}

  /** The account's "none" network: no bridge, no addresses, only the name Docker lists. */
  static NetworkUse none(String account) {
    String id;
    try {
      id =
          HexFormat.of()
              .formatHex(
                  MessageDigest.getInstance("SHA-256")
                      .digest(("none:" + account).getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    return new NetworkUse(
        new Network(
            id,
            "none",
            account,
            "null",
            null,
            null,
            null,
            false,
            Map.of(),
            "0001-01-01T00:00:00Z",
            true),
        List.of());
  }

  static Map<String, Object> view(NetworkUse u, boolean withContainers) {
    Network n = u.network();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("Name", n.name());
    m.put("Id", n.id());
    m.put("Created", n.created());
    m.put("Scope", "local");
    m.put("Driver", n.driver());
    m.put("EnableIPv4", true);
    m.put("EnableIPv6", false);
    List<Map<String, Object>> config = new ArrayList<>();
    if (n.subnet() != null) {
      Map<String, Object> c = new LinkedHashMap<>();
      c.put("Subnet", n.subnet());
      if (n.ipRange() != null) {
        c.put("IPRange", n.ipRange());
      }
      c.put("Gateway", n.gateway());
      if (!n.auxAddresses().isEmpty()) {
        c.put("AuxiliaryAddresses", n.auxAddresses());
      }
      config.add(c);
    }
    Map<String, Object> ipam = new LinkedHashMap<>();
    ipam.put("Driver", "default");
    ipam.put("Options", null); // as Docker's when none were given
    ipam.put("Config", config);
    m.put("IPAM", ipam);
    m.put("Internal", n.internal());
    m.put("Attachable", false);
    m.put("Ingress", false);
    m.put("ConfigFrom", Map.of("Network", ""));
    m.put("ConfigOnly", false);
    Map<String, Object> containers = new LinkedHashMap<>();
    if (withContainers) {
      for (Member c : u.members()) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("Name", c.zoneName());
        e.put("EndpointID", NetworkView.endpointId(n.id(), c.zoneId()));
        e.put("MacAddress", c.mac());
        e.put("IPv4Address", c.ip() + "/" + c.prefixLen());
        e.put("IPv6Address", "");
        containers.put(c.zoneId(), e);
      }
    }
    m.put("Containers", containers);
    m.put(
        "Options",
        n.fabric() && n.name().equals("bridge")
            ? Map.of("com.docker.network.bridge.default_bridge", "true")
            : Map.of());
    m.put("Labels", n.labels());
    return m;
  }

  /** name, id, label, driver, type (custom|builtin), dangling: Docker's network filters. */
  static Predicate<NetworkUse> filter(String json) {
    Predicate<NetworkUse> p = u -> true;
    Map<String, List<String>> f =
        Filters.parse(
            json, Set.of("name", "id", "label", "driver", "type", "dangling", "scope", "until"));
    if (f.containsKey("name")) {
      p = p.and(u -> f.get("name").stream().anyMatch(x -> u.network().name().contains(x)));
    }
    if (f.containsKey("id")) {
      p = p.and(u -> f.get("id").stream().anyMatch(x -> u.network().id().startsWith(x)));
    }
    if (f.containsKey("driver")) {
      p = p.and(u -> f.get("driver").contains(u.network().driver()));
    }
    if (f.containsKey("scope")) {
      p = p.and(u -> f.get("scope").contains("local"));
    }
    for (String t : f.getOrDefault("type", List.of())) {
      if (!t.equals("custom") && !t.equals("builtin")) {
        throw DockerException.invalid("invalid filter: 'type'='%s'", t);
      }
      p = p.and(u -> u.network().fabric() == t.equals("builtin"));
    }
    for (String d : f.getOrDefault("dangling", List.of())) {
      boolean want = d.equals("true") || d.equals("1");
      p =
          p.and(
              u ->
                  !u.network().fabric() && u.members().isEmpty() == want
                      || u.network().fabric() && !want);
    }
    for (String l : f.getOrDefault("label", List.of())) {
      String[] kv = l.split("=", 2);
      p =
          p.and(
              u ->
                  u.network().labels().containsKey(kv[0])
                      && (kv.length == 1 || kv[1].equals(u.network().labels().get(kv[0]))));
    }
    for (String until : f.getOrDefault("until", List.of())) {
      Instant limit = instant(until);
      p = p.and(u -> Instant.parse(u.network().created()).isBefore(limit));
    }
    return p;
  }

  /** A filter's time: a Go duration back from now (24h, 10m), Unix seconds, or RFC 3339. */
  static Instant instant(String v) {
    Matcher d = Pattern.compile("(\\d+)(h|m|s)").matcher(v);
    if (d.matches()) {
      long n = Long.parseLong(d.group(1));
      long secs =
          switch (d.group(2)) {
            case "h" -> n * 3600;
            case "m" -> n * 60;
            default -> n;
          };
      return Instant.now().minusSeconds(secs);
    }
    try {
      return v.matches("\\d+(\\.\\d+)?")
          ? Instant.ofEpochSecond((long) Double.parseDouble(v))
          : Instant.parse(v);
    } catch (RuntimeException e) {
      throw DockerException.invalid("invalid filter 'until=%s'", v);
    }
  }
}
