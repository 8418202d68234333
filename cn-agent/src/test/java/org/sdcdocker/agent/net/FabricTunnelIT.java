package org.sdcdocker.agent.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * Two compute nodes, each a network namespace, joined by an underlay (a veth pair) the test makes;
 * in each node a network's bridge with its tunnel, and containers (namespaces of their own with a
 * veth into the bridge). Real kernel devices, real packets (busybox's ping and nc); needs root.
 */
@EnabledOnOs(OS.LINUX)
class FabricTunnelIT {
  private static final String P = "sdcft" + ProcessHandle.current().pid() % 10000;
  private static final String CN1 = P + "-cn1";
  private static final String CN2 = P + "-cn2";
  private static final String U1 = "10.254.77.1";
  private static final String U2 = "10.254.77.2";
  private static final int VNI_A = 4101;
  private static final int VNI_B = 4102;

  private final FabricTunnel cn1 = new FabricTunnel(List.of("ip", "netns", "exec", CN1));
  private final FabricTunnel cn2 = new FabricTunnel(List.of("ip", "netns", "exec", CN2));
  private final List<String> namespaces = new ArrayList<>();

  @BeforeEach
  void underlay() {
    ns(CN1);
    ns(CN2);
    sh("ip", "link", "add", "u1", "netns", CN1, "type", "veth", "peer", "name", "u2", "netns", CN2);
    in(CN1, "ip", "addr", "add", U1 + "/24", "dev", "u1");
    in(CN2, "ip", "addr", "add", U2 + "/24", "dev", "u2");
    for (String cn : List.of(CN1, CN2)) {
      in(cn, "ip", "link", "set", "lo", "up");
      in(cn, "ip", "link", "set", cn.equals(CN1) ? "u1" : "u2", "up");
    }
  }

  @AfterEach
  void removeAll() {
    for (String n : namespaces) {
      HostNet.exec(List.of("ip", "netns", "del", n), new ArrayList<>());
    }
  }

  private void ns(String name) {
    sh("ip", "netns", "add", name);
    namespaces.add(name);
  }

  /** A network's bridge on a node with its tunnel; the MTU its containers get. */
  private int network(FabricTunnel t, String cn, String bridge, int vni, String local) {
    in(cn, "ip", "link", "add", bridge, "type", "bridge");
    in(cn, "ip", "link", "set", bridge, "up");
    t.ensure(vni, bridge, local);
    return t.mtu(local);
  }

  /** A container on a node's bridge: its own namespace, a veth, an address. */
  private void container(String cn, String bridge, String name, String addr, int mtu) {
    String ns = P + "-" + name;
    ns(ns);
    String host = "v" + name;
    in(
        cn, "ip", "link", "add", host, "mtu", "" + mtu, "type", "veth", "peer", "name", "eth0",
        "netns", ns, "mtu", "" + mtu);
    in(cn, "ip", "link", "set", host, "master", bridge);
    in(cn, "ip", "link", "set", host, "up");
    in(ns, "ip", "addr", "add", addr + "/24", "dev", "eth0");
    in(ns, "ip", "link", "set", "eth0", "up");
    in(ns, "ip", "link", "set", "lo", "up");
  }

  private boolean pings(String from, String to, int size) {
    return ping(from, to, size, 2);
  }

  /** One echo, one second: what must not arrive is not waited for long. */
  private boolean pingsOnce(String from, String to) {
    return ping(from, to, 56, 1);
  }

  private boolean ping(String from, String to, int size, int count) {
    List<String> cmd =
        inNs(P + "-" + from, "busybox", "ping", "-c", "" + count, "-W", "1", "-s", "" + size, to);
    return HostNet.exec(cmd, new ArrayList<>()) == 0;
  }

  /** A command in a namespace. */
  private static List<String> inNs(String ns, String... cmd) {
    List<String> all = new ArrayList<>(List.of("ip", "netns", "exec", ns));
    all.addAll(List.of(cmd));
    return all;
  }

  @Test
  void containersOnTwoNodes_reachEachOtherThroughTheirNetworksTunnel_andNoOtherNetworksReachThem()
      throws Exception {
    int mtu = network(cn1, CN1, "bra", VNI_A, U1);
    assertThat(mtu).isEqualTo(1450); // the underlay's 1500 less VXLAN's 50
    assertThat(String.join(" ", out(CN1, "ip", "-o", "link", "show", "dev", "sdcvx" + VNI_A)))
        .contains("mtu 1450");
    network(cn2, CN2, "bra", VNI_A, U2);
    network(cn2, CN2, "brb", VNI_B, U2);
    cn1.peers(VNI_A, Set.of(U2));
    cn2.peers(VNI_A, Set.of(U1));
    container(CN1, "bra", "a1", "10.78.0.2", mtu);
    container(CN1, "bra", "a3", "10.78.0.4", mtu);
    container(CN2, "bra", "a2", "10.78.0.3", mtu);
    // another account's network on cn2, the same subnet, its own VNI: it must reach nothing of A's
    container(CN2, "brb", "b1", "10.78.0.5", mtu);

    assertThat(pings("a1", "10.78.0.3", 56)).isTrue();
    assertThat(pings("a2", "10.78.0.2", 56)).isTrue();
    // a full-sized frame crosses whole: 1422 bytes of ICMP data + 28 of headers = the MTU
    assertThat(pings("a1", "10.78.0.3", mtu - 28)).isTrue();
    assertThat(pingsOnce("b1", "10.78.0.2")).isFalse();
    assertThat(pingsOnce("b1", "10.78.0.3")).isFalse();
    assertThat(pingsOnce("a2", "10.78.0.5")).isFalse();

    // a peer taken off the flood list: what is not learnt yet no longer crosses
    cn1.peers(VNI_A, Set.of());
    assertThat(cn1.floodList(FabricTunnel.device(VNI_A))).isEmpty();
    cn1.peers(VNI_A, Set.of(U2));
    assertThat(cn1.floodList(FabricTunnel.device(VNI_A))).containsExactly(U2);

    Measured across = measure("a1", "a2", "10.78.0.3");
    Measured local = measure("a1", "a3", "10.78.0.4");
    System.out.printf(
        "fabric: ping across nodes %s ms, on one node %s ms; 16 MiB by nc across %d ms, on one"
            + " node %d ms%n",
        across.ping, local.ping, across.transferMs, local.transferMs);

    cn1.remove(VNI_A);
    assertThat(cn1.exists(FabricTunnel.device(VNI_A))).isFalse();
    assertThat(pingsOnce("a2", "10.78.0.2")).isFalse();
  }

  private record Measured(String ping, long transferMs) {}

  /** Round-trip time (busybox ping's average of 20) and the time 16 MiB take over TCP (nc). */
  private Measured measure(String from, String to, String addr) throws Exception {
    List<String> out = new ArrayList<>();
    HostNet.exec(
        inNs(P + "-" + from, "busybox", "ping", "-c", "20", "-i", "0.05", "-W", "1", addr), out);
    String avg = "?";
    for (String l : out) {
      if (l.contains("min/avg/max")) {
        avg = l.replaceAll(".*= [0-9.]+/([0-9.]+)/.*", "$1");
      }
    }
    Process server =
        new ProcessBuilder(
                "ip",
                "netns",
                "exec",
                P + "-" + to,
                "busybox",
                "timeout",
                "30",
                "busybox",
                "nc",
                "-l",
                "-p",
                "5001")
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    Thread.sleep(300);
    long s = System.nanoTime();
    int rc =
        HostNet.exec(
            List.of(
                "ip",
                "netns",
                "exec",
                P + "-" + from,
                "sh",
                "-c",
                "busybox dd if=/dev/zero bs=65536 count=256 2>/dev/null | busybox timeout 30"
                    + " busybox nc "
                    + addr
                    + " 5001"),
            new ArrayList<>());
    long ms = (System.nanoTime() - s) / 1_000_000;
    server.waitFor();
    assertThat(rc).isZero();
    return new Measured(avg, ms);
  }

  private static List<String> out(String ns, String... cmd) {
    List<String> out = new ArrayList<>();
    HostNet.exec(inNs(ns, cmd), out);
    return out;
  }

  private static void sh(String... cmd) {
    List<String> out = new ArrayList<>();
    int rc = HostNet.exec(List.of(cmd), out);
    assertThat(rc).as(String.join(" ", cmd) + ": " + out).isZero();
  }

  private static void in(String ns, String... cmd) {
    sh(inNs(ns, cmd).toArray(String[]::new));
  }
}
