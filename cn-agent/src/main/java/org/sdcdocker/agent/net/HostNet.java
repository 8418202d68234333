package org.sdcdocker.agent.net;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.sdcdocker.protocol.DockerException;

/**
 * What networking changes on the host besides the plugins' own work: network namespaces, the
 * isolation rules that keep one network's traffic off every other network's bridge, and the
 * removal of a bridge (and of the shared chains once no bridge of ours is left).
 */
final class HostNet {
  static final String BRIDGE_PREFIX = "sdc-";
  private static final String ISO1 = "SDC-ISOLATION-1";
  private static final String ISO2 = "SDC-ISOLATION-2";

  private HostNet() {}

  /** The path of a named network namespace. */
  static String netnsPath(String name) {
    return "/run/netns/" + name;
  }

  static void addNetns(String name) {
    must(List.of("ip", "netns", "add", name), "creating network namespace " + name);
  }

  static void deleteNetns(String name) {
    if (java.nio.file.Files.exists(java.nio.file.Path.of(netnsPath(name)))) {
      run(List.of("ip", "netns", "del", name));
    }
  }

  /** Keeps traffic entering a bridge from leaving by another of ours; an internal one leaves for nowhere. */
  static synchronized void isolate(String bridge, boolean internal) {
    ensureChain(ISO2);
    ensureRule(ISO2, List.of("-o", BRIDGE_PREFIX + "+", "-j", "DROP"));
    ensureChain(ISO1);
    if (internal) {
      ensureRule(ISO1, List.of("-i", bridge, "!", "-o", bridge, "-j", "DROP"));
      ensureRule(ISO1, List.of("-o", bridge, "!", "-i", bridge, "-j", "DROP"));
    } else {
      ensureRule(ISO1, List.of("-i", bridge, "!", "-o", bridge, "-j", ISO2));
    }
    firstInForward();
  }

  /** Our jump must come before the firewall plugin's accept rules, so it goes back to the top. */
  static synchronized void firstInForward() {
    List<String> forward = output(List.of("iptables", "-w", "-S", "FORWARD"));
    List<String> rules = forward.stream().filter(l -> l.startsWith("-A ")).toList();
    String ours = "-A FORWARD -j " + ISO1;
    if (!rules.isEmpty() && rules.get(0).equals(ours)) {
      return;
    }
    if (rules.contains(ours)) {
      run(List.of("iptables", "-w", "-D", "FORWARD", "-j", ISO1));
    }
    must(List.of("iptables", "-w", "-I", "FORWARD", "1", "-j", ISO1), "adding the isolation rule");
  }

  /** Removes a bridge and its rules; with the last bridge of ours, the chains it needed go too. */
  static synchronized void removeBridge(String bridge) {
    for (List<String> r : List.of(
        List.of("-i", bridge, "!", "-o", bridge, "-j", ISO2),
        List.of("-i", bridge, "!", "-o", bridge, "-j", "DROP"),
        List.of("-o", bridge, "!", "-i", bridge, "-j", "DROP"))) {
      List<String> cmd = new ArrayList<>(List.of("iptables", "-w", "-D", ISO1));
      cmd.addAll(r);
      run(cmd);
    }
    run(List.of("ip", "link", "del", bridge));
    if (ourBridges().isEmpty()) {
      removeSharedChains();
    }
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
   * The isolation chains, and the chains the CNI plugins share (portmap's, firewall's) when
   * nothing but their own plumbing is left in them: a host without containers is as it was.
   */
  private static void removeSharedChains() {
    run(List.of("iptables", "-w", "-D", "FORWARD", "-j", ISO1));
    for (String c : List.of(ISO1, ISO2)) {
      run(List.of("iptables", "-w", "-F", c));
      run(List.of("iptables", "-w", "-X", c));
    }
    if (rulesIn("filter", "CNI-FORWARD") <= 1 && rulesIn("filter", "CNI-ADMIN") == 0) {
      run(List.of("iptables", "-w", "-D", "FORWARD", "-m", "comment", "--comment", "CNI firewall plugin rules",
          "-j", "CNI-FORWARD"));
      run(List.of("iptables", "-w", "-F", "CNI-FORWARD"));
      run(List.of("iptables", "-w", "-X", "CNI-FORWARD"));
      run(List.of("iptables", "-w", "-X", "CNI-ADMIN"));
    }
    if (rulesIn("nat", "CNI-HOSTPORT-DNAT") == 0) {
      for (String from : List.of("PREROUTING", "OUTPUT")) {
        run(List.of("iptables", "-w", "-t", "nat", "-D", from, "-m", "addrtype", "--dst-type", "LOCAL", "-j",
            "CNI-HOSTPORT-DNAT"));
      }
      run(List.of("iptables", "-w", "-t", "nat", "-D", "POSTROUTING", "-m", "comment", "--comment",
          "CNI portfwd requiring masquerade", "-j", "CNI-HOSTPORT-MASQ"));
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

  private static void ensureChain(String chain) {
    if (exec(List.of("iptables", "-w", "-S", chain), new ArrayList<>()) != 0) {
      must(List.of("iptables", "-w", "-N", chain), "creating chain " + chain);
    }
  }

  private static void ensureRule(String chain, List<String> rule) {
    List<String> check = new ArrayList<>(List.of("iptables", "-w", "-C", chain));
    check.addAll(rule);
    if (exec(check, new ArrayList<>()) != 0) {
      List<String> add = new ArrayList<>(List.of("iptables", "-w", "-A", chain));
      add.addAll(rule);
      must(add, "adding a rule to " + chain);
    }
  }

  private static void must(List<String> cmd, String what) {
    List<String> out = new ArrayList<>();
    if (exec(cmd, out) != 0) {
      throw DockerException.internal("%s: %s", what, String.join(" ", out).trim());
    }
  }

  private static void run(List<String> cmd) {
    exec(cmd, new ArrayList<>());
  }

  private static List<String> output(List<String> cmd) {
    List<String> out = new ArrayList<>();
    exec(cmd, out);
    return out;
  }

  /** Runs a command, its output's lines into {@code out}; the exit code (-1 when it could not run). */
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
