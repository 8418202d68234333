package org.sdcdocker.agent.net;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.sdcdocker.protocol.DockerException;

/**
 * What networking changes on the host besides the plugins' own work: network namespaces, the
 * isolation rules that keep one network's traffic off every other network's bridge, and the removal
 * of a bridge (and of the shared chains once no bridge of ours is left).
 */
final class HostNet {
  static final String BRIDGE_PREFIX = "sdc-";
  private static final String FWD = "SDC-FORWARD";
  private static final String ISO2 = "SDC-ISOLATION";
  private static final String NAT = "SDC-POSTROUTING";

  private HostNet() {}

  /** The path of a named network namespace. */
  static String netnsPath(String name) {
    return "/run/netns/" + name;
  }

  static void addNetns(String name) {
    must(List.of("ip", "netns", "add", name), "creating network namespace " + name);
  }

  static void deleteNetns(String name) {
    if (Files.exists(Path.of(netnsPath(name)))) {
      run(List.of("ip", "netns", "del", name));
    }
  }

  /**
   * A bridge's rules, once, before its first zone: its traffic may not enter another bridge of ours
   * (an internal one's may leave for nowhere), what stays within these bounds is accepted (a host
   * whose FORWARD policy is DROP, as Docker's, forwards it too), and traffic leaving a non-internal
   * network is masqueraded. One set per bridge, not per container, as Docker's.
   */
  static synchronized void prepareBridge(String bridge, String subnet, boolean internal) {
    ensureChain("filter", ISO2);
    ensureRule("filter", ISO2, List.of("-o", BRIDGE_PREFIX + "+", "-j", "DROP"));
    ensureChain("filter", FWD);
    for (List<String> r : forwardRules(bridge, internal)) {
      ensureRule("filter", FWD, r);
    }
    if (!internal) {
      ensureChain("nat", NAT);
      ensureRule("nat", NAT, masquerade(bridge, subnet));
      if (exec(
              List.of("iptables", "-w", "-t", "nat", "-C", "POSTROUTING", "-j", NAT),
              new ArrayList<>())
          != 0) {
        must(
            List.of("iptables", "-w", "-t", "nat", "-A", "POSTROUTING", "-j", NAT),
            "adding the masquerade rule");
      }
    }
    firstInForward();
  }

  private static List<List<String>> forwardRules(String bridge, boolean internal) {
    List<List<String>> rules = new ArrayList<>();
    if (internal) {
      rules.add(List.of("-i", bridge, "!", "-o", bridge, "-j", "DROP"));
      rules.add(List.of("-o", bridge, "!", "-i", bridge, "-j", "DROP"));
    } else {
      rules.add(List.of("-i", bridge, "!", "-o", bridge, "-j", ISO2));
    }
    rules.add(List.of("-i", bridge, "-j", "ACCEPT"));
    rules.add(
        List.of(
            "-o",
            bridge,
            "-m",
            "conntrack",
            "--ctstate",
            "RELATED,ESTABLISHED,DNAT",
            "-j",
            "ACCEPT"));
    return rules;
  }

  private static List<String> masquerade(String bridge, String subnet) {
    return List.of("-s", subnet, "!", "-o", bridge, "-j", "MASQUERADE");
  }

  /**
   * Our jump must come before anything that accepts or drops forwarded traffic: first in FORWARD.
   */
  static synchronized void firstInForward() {
    List<String> forward = output(List.of("iptables", "-w", "-S", "FORWARD"));
    List<String> rules = forward.stream().filter(l -> l.startsWith("-A ")).toList();
    String ours = "-A FORWARD -j " + FWD;
    if (!rules.isEmpty() && rules.get(0).equals(ours)) {
      return;
    }
    if (rules.contains(ours)) {
      run(List.of("iptables", "-w", "-D", "FORWARD", "-j", FWD));
    }
    must(List.of("iptables", "-w", "-I", "FORWARD", "1", "-j", FWD), "adding the forwarding rule");
  }

  /** Removes a bridge and its rules; with the last bridge of ours, the chains it needed go too. */
  static synchronized void removeBridge(String bridge, String subnet) {
    for (List<String> r : forwardRules(bridge, false)) {
      delete("filter", FWD, r);
    }
    for (List<String> r : forwardRules(bridge, true)) {
      delete("filter", FWD, r);
    }
    delete("nat", NAT, masquerade(bridge, subnet));
    run(List.of("ip", "link", "del", bridge));
    if (ourBridges().isEmpty()) {
      removeSharedChains();
    }
  }

  private static void delete(String table, String chain, List<String> rule) {
    List<String> cmd = new ArrayList<>(List.of("iptables", "-w", "-t", table, "-D", chain));
    cmd.addAll(rule);
    run(cmd);
  }

  /** Whether a link of that name exists. */
  static boolean exists(String ifname) {
    return Files.exists(Path.of("/sys/class/net", ifname));
  }

  /** The bridges of ours on the host. */
  static List<String> ourBridges() {
    List<String> out = new ArrayList<>();
    for (String l : output(List.of("ip", "-o", "link", "show", "type", "bridge"))) {
      String[] f = l.split(":\\s+", 3);
      if (f.length > 1 && f[1].startsWith(BRIDGE_PREFIX)) {
        out.add(f[1].split("@")[0]);
      }
    }
    return out;
  }

  /**
   * Our chains, and the chains the portmap plugin shares between its containers when nothing but
   * their own plumbing is left in them: a host without containers is as it was.
   */
  private static void removeSharedChains() {
    run(List.of("iptables", "-w", "-D", "FORWARD", "-j", FWD));
    run(List.of("iptables", "-w", "-t", "nat", "-D", "POSTROUTING", "-j", NAT));
    for (String c : List.of(FWD, ISO2)) {
      run(List.of("iptables", "-w", "-F", c));
      run(List.of("iptables", "-w", "-X", c));
    }
    run(List.of("iptables", "-w", "-t", "nat", "-F", NAT));
    run(List.of("iptables", "-w", "-t", "nat", "-X", NAT));
    if (rulesIn("nat", "CNI-HOSTPORT-DNAT") == 0) {
      for (String from : List.of("PREROUTING", "OUTPUT")) {
        run(
            List.of(
                "iptables",
                "-w",
                "-t",
                "nat",
                "-D",
                from,
                "-m",
                "addrtype",
                "--dst-type",
                "LOCAL",
                "-j",
                "CNI-HOSTPORT-DNAT"));
      }
      run(
          List.of(
              "iptables",
              "-w",
              "-t",
              "nat",
              "-D",
              "POSTROUTING",
              "-m",
              "comment",
              "--comment",
              "CNI portfwd requiring masquerade",
              "-j",
              "CNI-HOSTPORT-MASQ"));
      for (String c : List.of("CNI-HOSTPORT-DNAT", "CNI-HOSTPORT-MASQ", "CNI-HOSTPORT-SETMARK")) {
        run(List.of("iptables", "-w", "-t", "nat", "-F", c));
        run(List.of("iptables", "-w", "-t", "nat", "-X", c));
      }
    }
  }

  /** The rules in a chain; -1 when it does not exist. */
  private static int rulesIn(String table, String chain) {
    List<String> l = new ArrayList<>();
    int rc = exec(List.of("iptables", "-w", "-t", table, "-S", chain), l);
    return rc != 0 ? -1 : (int) l.stream().filter(x -> x.startsWith("-A ")).count();
  }

  private static void ensureChain(String table, String chain) {
    if (exec(List.of("iptables", "-w", "-t", table, "-S", chain), new ArrayList<>()) != 0) {
      must(List.of("iptables", "-w", "-t", table, "-N", chain), "creating chain " + chain);
    }
  }

  private static void ensureRule(String table, String chain, List<String> rule) {
    List<String> check = new ArrayList<>(List.of("iptables", "-w", "-t", table, "-C", chain));
    check.addAll(rule);
    if (exec(check, new ArrayList<>()) != 0) {
      List<String> add = new ArrayList<>(List.of("iptables", "-w", "-t", table, "-A", chain));
      add.addAll(rule);
      must(add, "adding a rule to " + chain);
    }
  }

  static void must(List<String> cmd, String what) {
    List<String> out = new ArrayList<>();
    if (exec(cmd, out) != 0) {
      throw DockerException.internal("%s: %s", what, String.join(" ", out).trim());
    }
  }

  static void run(List<String> cmd) {
    exec(cmd, new ArrayList<>());
  }

  static List<String> output(List<String> cmd) {
    List<String> out = new ArrayList<>();
    exec(cmd, out);
    return out;
  }

  /**
   * Runs a command, its output's lines into {@code out}; the exit code (-1 when it could not run).
   */
  static int exec(List<String> cmd, List<String> out) {
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      p.getOutputStream().close();
      String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return -1;
      }
      out.addAll(text.lines().toList());
      return p.exitValue();
    } catch (IOException e) {
      out.add(e.getMessage());
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }
}
