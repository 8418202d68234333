package org.sdcdocker.frontend.translate;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.sdcdocker.protocol.DockerException;
import org.sdcdocker.protocol.agent.NetworkRecords;
import org.sdcdocker.protocol.agent.NetworkSpec;
import org.sdcdocker.protocol.agent.NetworkSpec.Endpoint;
import org.sdcdocker.protocol.agent.NetworkSpec.Link;
import org.sdcdocker.protocol.agent.NetworkSpec.PortSpec;

/**
 * Docker's networking options (NetworkMode, NetworkingConfig, PortBindings, PublishAllPorts,
 * ExposedPorts, Links, Dns*, ExtraHosts, MacAddress) → NetworkSpec, refused as Docker refuses them.
 * Links and {@code container:} name containers as given; the backend resolves them.
 */
public final class NetworkTranslator {
  private static final Pattern PORT = Pattern.compile("(\\d+)(?:-(\\d+))?(?:/(tcp|udp|sctp))?");

  private NetworkTranslator() {}

  static NetworkSpec translate(CreateBody body, CreateBody imageConfig) {
    CreateBody.HostConfig h = body.hostConfig();
    String mode = h.networkMode();
    if (mode.isEmpty() || mode.equals("default")) {
      mode = NetworkRecords.FABRIC;
    }
    if (mode.equals("host")) {
      throw DockerException.invalid(
          "host networking is not available on this server: a container cannot use a "
              + "compute node's network; use the default network or a user-defined one");
    }
    boolean shared = mode.startsWith("container:");
    if (shared && mode.length() == "container:".length()) {
      throw DockerException.invalid(
          "Invalid network mode: invalid container format container:<name|id>");
    }
    List<PortSpec> ports = ports(h.portBindings());
    Set<String> exposed = new LinkedHashSet<>();
    imageConfig.exposedPorts().keySet().forEach(p -> exposed.add(normal(p)));
    body.exposedPorts().keySet().forEach(p -> exposed.add(normal(p)));
    ports.forEach(p -> exposed.add(p.containerPort() + "/" + p.protocol()));
    List<String> dns = h.dns();
    List<String> extraHosts = new ArrayList<>();
    for (String e : h.extraHosts()) {
      extraHosts.add(extraHost(e));
    }
    List<Link> links = new ArrayList<>();
    for (String l : h.links()) {
      String[] f = l.split(":", 2);
      String name = f[0].startsWith("/") ? f[0].substring(1) : f[0];
      String alias = f.length > 1 ? f[1].substring(f[1].lastIndexOf('/') + 1) : name;
      links.add(new Link(null, name, alias));
    }
    String mac = body.macAddress();
    if (shared) {
      conflict(
          !ports.isEmpty() || h.publishAllPorts(),
          "conflicting options: port publishing and the container type network mode");
      conflict(
          !body.exposedPorts().isEmpty(),
          "conflicting options: port exposing and the container type network mode");
      conflict(!dns.isEmpty(), "conflicting options: dns and the network mode");
      conflict(
          !extraHosts.isEmpty(),
          "conflicting options: custom host-to-IP mapping and the network mode");
      conflict(
          !links.isEmpty(),
          "conflicting options: container type network can't be used with links. This "
              + "would result in undefined behavior");
      conflict(!mac.isEmpty(), "conflicting options: mac-address and the network mode");
      conflict(!body.hostname().isEmpty(), "conflicting options: hostname and the network mode");
    }
    if (h.publishAllPorts() && !shared) {
      for (String e : exposed) {
        String[] pp = e.split("/");
        int port = Integer.parseInt(pp[0]);
        if (ports.stream()
            .noneMatch(p -> p.containerPort() == port && p.protocol().equals(pp[1]))) {
          ports.add(new PortSpec(port, pp[1], "", 0, 0));
        }
      }
    }
    List<Endpoint> endpoints = new ArrayList<>();
    Map<String, CreateBody.EndpointConfig> configs = body.networkingConfig().endpointsConfig();
    if (!shared && !mode.equals("none")) {
      // the CLI names the default network's settings "default", as its network mode
      CreateBody.EndpointConfig own =
          configs.getOrDefault(
              mode,
              mode.equals(NetworkRecords.FABRIC)
                  ? configs.getOrDefault("default", CreateBody.EndpointConfig.EMPTY)
                  : CreateBody.EndpointConfig.EMPTY);
      endpoints.add(endpoint(mode, own, mac));
      for (Map.Entry<String, CreateBody.EndpointConfig> e : configs.entrySet()) {
        if (!e.getKey().equals(mode)
            && !(mode.equals(NetworkRecords.FABRIC) && e.getKey().equals("default"))) {
          endpoints.add(endpoint(e.getKey(), e.getValue(), null));
        }
      }
    } else if (mode.equals("none") && !configs.isEmpty() && !configs.containsKey("none")) {
      throw DockerException.invalid(
          "Container cannot be connected to network endpoints: none, %s",
          String.join(", ", configs.keySet()));
    }
    if (mode.equals("none")) {
      ports.clear(); // Docker publishes nothing for a container without a network
    }
    return new NetworkSpec(
        mode,
        endpoints,
        ports,
        new ArrayList<>(exposed),
        h.publishAllPorts(),
        dns,
        h.dnsSearch(),
        h.dnsOptions(),
        extraHosts,
        links,
        null);
  }

  private static void conflict(boolean when, String message) {
    if (when) {
      throw DockerException.invalid("%s", message);
    }
  }

  /** An endpoint as the create body's (or a connect's) EndpointConfig asks for it. */
  public static Endpoint endpoint(String network, CreateBody.EndpointConfig config, String mac) {
    List<String> aliases = config.aliases();
    String ip = config.ipamConfig().ipv4Address();
    String m = config.macAddress();
    if (m.isEmpty() && mac != null) {
      m = mac;
    }
    if (!m.isEmpty() && !m.matches("([0-9a-fA-F]{2}:){5}[0-9a-fA-F]{2}")) {
      throw DockerException.invalid("invalid MAC address: %s", m);
    }
    return new Endpoint(network, null, aliases, ip.isEmpty() ? null : ip, m.isEmpty() ? null : m)
        .withSettings(config.links(), config.driverOpts(), config.ipamConfig().linkLocalIps());
  }

  /**
   * HostConfig.PortBindings: {"80/tcp": [{"HostIp": "", "HostPort": "8080"}]}; a range of host
   * ports is one binding.
   */
  static List<PortSpec> ports(Map<String, List<CreateBody.PortBinding>> bindings) {
    List<PortSpec> out = new ArrayList<>();
    for (Map.Entry<String, List<CreateBody.PortBinding>> e : bindings.entrySet()) {
      Matcher m = PORT.matcher(e.getKey());
      if (!m.matches() || m.group(2) != null) {
        throw DockerException.invalid("invalid port specification: \"%s\"", e.getKey());
      }
      int port = port(m.group(1), e.getKey());
      String proto = m.group(3) == null ? "tcp" : m.group(3);
      if (proto.equals("sctp")) {
        throw DockerException.invalid(
            "sctp ports are not available on this server: %s", e.getKey());
      }
      List<CreateBody.PortBinding> list = new ArrayList<>();
      if (e.getValue() != null) {
        e.getValue().forEach(b -> list.add(b == null ? new CreateBody.PortBinding(null, null) : b));
      }
      if (list.isEmpty()) {
        list.add(new CreateBody.PortBinding(null, null));
      }
      for (CreateBody.PortBinding b : list) {
        String hostPort = b.hostPort();
        String hostIp = b.hostIp();
        if (!hostIp.isEmpty() && !hostIp.matches("\\d+\\.\\d+\\.\\d+\\.\\d+")) {
          throw DockerException.invalid(
              "invalid IP address: %s (only IPv4 host addresses are available)", hostIp);
        }
        int start = 0;
        int end = 0;
        if (!hostPort.isEmpty()) {
          Matcher hm = PORT.matcher(hostPort);
          if (!hm.matches() || hm.group(3) != null) {
            throw DockerException.invalid("invalid port specification: \"%s\"", hostPort);
          }
          start = port(hm.group(1), hostPort);
          end = hm.group(2) == null ? start : port(hm.group(2), hostPort);
          if (end < start) {
            throw DockerException.invalid("invalid port range: %s", hostPort);
          }
        }
        out.add(new PortSpec(port, proto, hostIp, start, end));
      }
    }
    return out;
  }

  private static int port(String s, String spec) {
    int p = Integer.parseInt(s);
    if (p < 1 || p > 65535) {
      throw DockerException.invalid("invalid port specification: \"%s\"", spec);
    }
    return p;
  }

  private static String normal(String exposed) {
    return exposed.contains("/") ? exposed : exposed + "/tcp";
  }

  /** An --add-host entry as "name:ip" (the CLI may send name=ip); the IP is checked. */
  static String extraHost(String e) {
    int i = e.indexOf('=') > 0 ? e.indexOf('=') : e.indexOf(':');
    if (i <= 0) {
      throw DockerException.invalid("invalid extra host: %s", e);
    }
    String name = e.substring(0, i);
    String ip = e.substring(i + 1);
    if (ip.startsWith("[") && ip.endsWith("]")) {
      ip = ip.substring(1, ip.length() - 1);
    }
    if (!ip.equals("host-gateway")
        && !ip.matches("\\d+\\.\\d+\\.\\d+\\.\\d+")
        && !ip.contains(":")) {
      throw DockerException.invalid("invalid IP address in add-host: \"%s\"", ip);
    }
    return name + ":" + ip;
  }
}
