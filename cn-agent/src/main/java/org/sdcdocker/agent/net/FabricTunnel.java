package org.sdcdocker.agent.net;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.sdcdocker.protocol.DockerException;

/**
 * A network's tunnel between compute nodes: the kernel's VXLAN device, one VNI per network, a port
 * of that network's bridge on this node. What the bridge floods (broadcast, unknown unicast,
 * multicast; ARP among them) goes to every other node that carries the network, one all-zeros
 * forwarding entry per peer (head-end replication, as the kernel's VXLAN does it without
 * multicast); each remote MAC is learnt from what arrives. Which nodes are peers is the fleet's
 * knowledge, given here; nothing is discovered on the underlay.
 *
 * <p>The commands run in this node's network namespace, or after {@code in} (tests: {@code ip netns
 * exec NODE}).
 */
public final class FabricTunnel implements FabricLinks.Tunnels {
  /** IANA's VXLAN port. */
  static final int PORT = 4789;

  /** What VXLAN adds to each frame over IPv4: outer Ethernet 14, IPv4 20, UDP 8, VXLAN 8. */
  static final int OVERHEAD = 50;

  private static final String FLOOD = "00:00:00:00:00:00";
  private static final Pattern FLOOD_ENTRY =
      Pattern.compile("^" + FLOOD + " dst (\\d+\\.\\d+\\.\\d+\\.\\d+)\\b.*");
  private static final Pattern MTU = Pattern.compile("\\bmtu (\\d+)\\b");

  private final List<String> in;

  public FabricTunnel(List<String> in) {
    this.in = List.copyOf(in);
  }

  /** The tunnel device of a network: "sdcvx" and its VNI (at most 13 characters). */
  public static String device(int vni) {
    if (vni < 1 || vni > 0xFFFFFF) {
      throw new IllegalArgumentException("a VNI is 1 to 16777215: " + vni);
    }
    return "sdcvx" + vni;
  }

  /**
   * The tunnel of network {@code vni} on this node, sending from {@code local} (this node's
   * underlay address), as a port of {@code bridge}, its MTU {@link #mtu}'s (without a lower device
   * named, the kernel would give it 1500, and a full frame would not cross). Made when missing; the
   * bridge must exist.
   */
  @Override
  public synchronized void ensure(int vni, String bridge, String local) {
    String dev = device(vni);
    if (!exists(dev)) {
      must(
          List.of(
              "ip",
              "link",
              "add",
              dev,
              "mtu",
              Integer.toString(mtu(local)),
              "type",
              "vxlan",
              "id",
              Integer.toString(vni),
              "local",
              local,
              "dstport",
              Integer.toString(PORT)),
          "creating the tunnel of VNI " + vni);
    }
    must(List.of("ip", "link", "set", dev, "master", bridge), "attaching " + dev + " to " + bridge);
    must(List.of("ip", "link", "set", dev, "up"), "bringing " + dev + " up");
  }

  /**
   * The nodes (underlay addresses) the network's flooded frames go to, now exactly {@code peers}.
   */
  @Override
  public synchronized void peers(int vni, Set<String> peers) {
    String dev = device(vni);
    Set<String> have = floodList(dev);
    for (String p : peers) {
      if (!have.contains(p)) {
        must(
            List.of("bridge", "fdb", "append", FLOOD, "dev", dev, "dst", p),
            "adding peer " + p + " to " + dev);
      }
    }
    for (String p : have) {
      if (!peers.contains(p)) {
        run(List.of("bridge", "fdb", "del", FLOOD, "dev", dev, "dst", p));
      }
    }
  }

  /** The peers the network's flooded frames go to now. */
  @Override
  public Set<String> floodList(String dev) {
    Set<String> out = new LinkedHashSet<>();
    for (String line : output(List.of("bridge", "fdb", "show", "dev", dev))) {
      Matcher m = FLOOD_ENTRY.matcher(line.trim());
      if (m.matches()) {
        out.add(m.group(1));
      }
    }
    return out;
  }

  /** Removes the network's tunnel from this node (nothing when it has none). */
  @Override
  public synchronized void remove(int vni) {
    String dev = device(vni);
    if (exists(dev)) {
      run(List.of("ip", "link", "del", dev));
    }
  }

  public boolean exists(String dev) {
    return exec(List.of("ip", "link", "show", "dev", dev), new ArrayList<>()) == 0;
  }

  /**
   * The MTU of a network's interfaces across the tunnel: the MTU of the underlay interface that
   * holds {@code local}, less what VXLAN adds, so that a full-sized frame still crosses unsplit.
   */
  @Override
  public int mtu(String local) {
    for (String line : output(List.of("ip", "-o", "-4", "addr", "show"))) {
      String[] f = line.trim().split("\\s+");
      // "2: eth0    inet 10.0.0.1/24 brd ..."
      if (f.length > 3 && f[2].equals("inet") && f[3].startsWith(local + "/")) {
        String dev = f[1];
        for (String l : output(List.of("ip", "-o", "link", "show", "dev", dev))) {
          Matcher m = MTU.matcher(l);
          if (m.find()) {
            return Integer.parseInt(m.group(1)) - OVERHEAD;
          }
        }
      }
    }
    throw DockerException.internal("no interface of this node has the address %s", local);
  }

  private void must(List<String> cmd, String what) {
    HostNet.must(in(cmd), what);
  }

  private void run(List<String> cmd) {
    HostNet.run(in(cmd));
  }

  private List<String> output(List<String> cmd) {
    return HostNet.output(in(cmd));
  }

  private int exec(List<String> cmd, List<String> out) {
    return HostNet.exec(in(cmd), out);
  }

  /** The command, run after {@code in} (another namespace's) when there is one. */
  private List<String> in(List<String> cmd) {
    if (in.isEmpty()) {
      return cmd;
    }
    List<String> all = new ArrayList<>(in);
    all.addAll(cmd);
    return all;
  }
}
