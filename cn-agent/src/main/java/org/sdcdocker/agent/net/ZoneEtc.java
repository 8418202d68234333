package org.sdcdocker.agent.net;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import org.sdcdocker.protocol.agent.ContainerSpec;
import org.sdcdocker.protocol.agent.NetStatus;
import org.sdcdocker.protocol.agent.NetworkSpec;

/**
 * A zone's /etc/hosts and /etc/resolv.conf as Docker writes them, and the environment a legacy link
 * gives. Pure functions of the zone's spec and its network as it is now.
 */
public final class ZoneEtc {
  private ZoneEtc() {}

  /** A link's target as the linking zone sees it: its name, address, exposed ports and env. */
  public record LinkTarget(
      NetworkSpec.Link link, String ip, List<String> exposed, List<String> env) {}

  /**
   * /etc/hosts: localhost, --add-host entries, links, then the zone's own names on its first
   * address.
   */
  public static String hosts(
      ContainerSpec spec, NetStatus net, List<LinkTarget> links, String hostGateway) {
    StringBuilder b =
        new StringBuilder(
            "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
                + "fe00::0\tip6-localnet\nff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n");
    for (String h : spec.network().extraHosts()) {
      int colon = h.indexOf(':');
      String name = h.substring(0, colon);
      String ip = h.substring(colon + 1);
      b.append(ip.equals("host-gateway") ? hostGateway : ip).append('\t').append(name).append('\n');
    }
    for (LinkTarget t : links) {
      b.append(t.ip()).append('\t').append(t.link().alias());
      if (!t.link().alias().equals(t.link().name())) {
        b.append(' ').append(t.link().name());
      }
      b.append(' ').append(t.link().zoneId(), 0, 12).append('\n');
    }
    String own =
        spec.domainname() == null || spec.domainname().isEmpty()
            ? spec.hostname()
            : spec.hostname() + "." + spec.domainname() + " " + spec.hostname();
    String ip = net.attached().isEmpty() ? "127.0.1.1" : net.attached().get(0).ip();
    b.append(ip).append('\t').append(own).append('\n');
    return b.toString();
  }

  /**
   * /etc/resolv.conf: on a user-defined network, the node's resolver for it (at the network's
   * gateway) first; then --dns or the host's non-loopback servers; --dns-search, --dns-option or
   * the host's.
   */
  public static String resolvConf(ContainerSpec spec, String embeddedDns) throws IOException {
    List<String> servers = new ArrayList<>();
    List<String> search = new ArrayList<>();
    List<String> options = new ArrayList<>();
    Path host = Path.of("/etc/resolv.conf");
    if (Files.isReadable(host)) {
      for (String line : Files.readAllLines(host)) {
        String[] f = line.trim().split("\\s+");
        if (f.length < 2) {
          continue;
        }
        switch (f[0]) {
          case "nameserver" -> {
            if (!f[1].startsWith("127.") && !f[1].equals("::1")) {
              servers.add(f[1]);
            }
          }
          case "search", "domain" -> search.addAll(List.of(f).subList(1, f.length));
          case "options" -> options.addAll(List.of(f).subList(1, f.length));
          default -> {}
        }
      }
    }
    NetworkSpec n = spec.network();
    if (!n.dns().isEmpty()) {
      servers = new ArrayList<>(n.dns());
    } else if (servers.isEmpty() && embeddedDns == null) {
      servers =
          List.of(
              "8.8.8.8", "8.8.4.4"); // Docker's fallback when the host has only loopback servers
    }
    if (embeddedDns != null) {
      servers = List.of(embeddedDns); // the node's resolver forwards what it does not know itself
    }
    if (!n.dnsSearch().isEmpty()) {
      search = n.dnsSearch().equals(List.of(".")) ? List.of() : n.dnsSearch();
    }
    if (!n.dnsOptions().isEmpty()) {
      options = n.dnsOptions();
    }
    StringBuilder b = new StringBuilder();
    servers.forEach(s -> b.append("nameserver ").append(s).append('\n'));
    if (!search.isEmpty()) {
      b.append("search ").append(String.join(" ", search)).append('\n');
    }
    if (!options.isEmpty()) {
      b.append("options ").append(String.join(" ", options)).append('\n');
    }
    return b.toString();
  }

  /** The variables a link gives: ALIAS_NAME, ALIAS_PORT*, ALIAS_ENV_* (Docker's names). */
  public static List<String> linkEnv(String zoneName, LinkTarget t) {
    String alias = t.link().alias().toUpperCase(Locale.ROOT).replace('-', '_');
    List<String> env = new ArrayList<>();
    env.add(alias + "_NAME=/" + zoneName + "/" + t.link().alias());
    TreeSet<String> ports =
        new TreeSet<>(
            (a, b) -> {
              int c = Integer.compare(portOf(a), portOf(b));
              return c != 0 ? c : a.compareTo(b);
            });
    ports.addAll(t.exposed());
    if (!ports.isEmpty()) {
      String first = ports.first();
      env.add(alias + "_PORT=" + protoOf(first) + "://" + t.ip() + ":" + portOf(first));
    }
    for (String p : ports) {
      String prefix = alias + "_PORT_" + portOf(p) + "_" + protoOf(p).toUpperCase(Locale.ROOT);
      env.add(prefix + "=" + protoOf(p) + "://" + t.ip() + ":" + portOf(p));
      env.add(prefix + "_ADDR=" + t.ip());
      env.add(prefix + "_PORT=" + portOf(p));
      env.add(prefix + "_PROTO=" + protoOf(p));
    }
    for (String e : t.env()) {
      String[] kv = e.split("=", 2);
      if (kv.length == 2 && !kv[0].equals("HOME") && !kv[0].equals("PATH")) {
        env.add(alias + "_ENV_" + kv[0] + "=" + kv[1]);
      }
    }
    return env;
  }

  private static int portOf(String p) {
    return Integer.parseInt(p.split("/")[0]);
  }

  private static String protoOf(String p) {
    String[] f = p.split("/");
    return f.length > 1 ? f[1] : "tcp";
  }
}
