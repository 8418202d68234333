package org.sdcdocker.agent.net;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.sdcdocker.protocol.agent.AgentEvents.Heartbeat;

/**
 * This node's end of the fleet's fabric: the tunnels of the fleet-wide networks it carries, and
 * where each is sent. Every agent tells in its heartbeat its underlay address and the VNIs it
 * carries; each agent hears the others' and keeps each of its tunnels' flood list to the other
 * nodes that carry the same VNI. A tunnel is made with a network's bridge on this node and goes
 * with it; the others are told at once (an early heartbeat).
 *
 * <p>A node is a peer until its heartbeat says it no longer carries the network or the operator
 * forgets it: an agent that stopped leaves its containers running (conmon), and their traffic with
 * it. An address in a tunnel's list that no heartbeat explains (the agent restarted and has not
 * heard everyone yet) stays until {@link #SETTLE_MS} after this agent's start.
 */
public final class FabricLinks {
  /** Heartbeats come every 2 s: by then every live agent has told where it is and what it has. */
  static final long SETTLE_MS = 6_000;

  private record Node(String address, Set<Integer> vnis) {}

  /** What the links drive: the kernel's tunnels ({@link FabricTunnel}). */
  public interface Tunnels {
    void ensure(int vni, String bridge, String local);

    void peers(int vni, Set<String> peers);

    Set<String> floodList(String dev);

    void remove(int vni);

    int mtu(String local);
  }

  private final String address;
  private final Tunnels tunnel;
  private final Runnable announce;
  private final long startedNanos;
  private final Map<String, Node> nodes = new ConcurrentHashMap<>();
  private final Set<Integer> carried = ConcurrentHashMap.newKeySet();

  /** Per VNI adopted at the start, where its tunnel sent to before (until {@link #SETTLE_MS}). */
  private final Map<Integer, Set<String>> inherited = new ConcurrentHashMap<>();

  private volatile int mtu;

  /**
   * @param address this node's underlay address (the tunnels' source)
   * @param announce tells the others what this node carries now (an early heartbeat)
   */
  public FabricLinks(String address, Tunnels tunnel, Runnable announce) {
    this(address, tunnel, announce, System.nanoTime());
  }

  FabricLinks(String address, Tunnels tunnel, Runnable announce, long startedNanos) {
    this.address = address;
    this.tunnel = tunnel;
    this.announce = announce;
    this.startedNanos = startedNanos;
  }

  public String address() {
    return address;
  }

  /** The VNIs this node carries now, for its heartbeat. */
  public List<Integer> carried() {
    return List.copyOf(new TreeSet<>(carried));
  }

  /** The MTU of the fleet networks' interfaces here: the underlay's less VXLAN's overhead. */
  int mtu() {
    if (mtu == 0) {
      mtu = tunnel.mtu(address);
    }
    return mtu;
  }

  /** A fleet network's bridge is up here: its tunnel, sent to its peers; the others are told. */
  synchronized void up(int vni, String bridge) {
    tunnel.ensure(vni, bridge, address);
    sync(vni);
    if (carried.add(vni)) {
      announce.run();
    }
  }

  /**
   * A zone that runs on across an agent restart: its network's tunnel is this node's again, and
   * where it sends stays so until the nodes are heard from.
   */
  synchronized void adopt(int vni) {
    if (carried.add(vni)) {
      inherited.put(vni, new HashSet<>(tunnel.floodList(FabricTunnel.device(vni))));
    }
  }

  /** A fleet network's last zone here is gone: its tunnel goes; the others are told. */
  synchronized void down(int vni) {
    tunnel.remove(vni);
    if (carried.remove(vni)) {
      announce.run();
    }
  }

  /** Another node's heartbeat: its tunnels' peers follow what it carries. */
  public synchronized void heard(String selfCn, Heartbeat hb) {
    if (hb.cnUuid().equals(selfCn) || hb.fabricAddress() == null) {
      return;
    }
    Node now = new Node(hb.fabricAddress(), Set.copyOf(hb.fabrics()));
    Node before = nodes.put(hb.cnUuid(), now);
    if (now.equals(before)) {
      if (settled()) { // once: what no heartbeat explained at the start goes now
        carried.forEach(this::sync);
      }
      return;
    }
    Set<Integer> touched = new HashSet<>(now.vnis());
    if (before != null) {
      touched.addAll(before.vnis());
    }
    touched.stream().filter(carried::contains).forEach(this::sync);
  }

  /** A node the operator forgot: no tunnel sends to it any more. */
  public synchronized void forget(String cn) {
    Node gone = nodes.remove(cn);
    if (gone != null) {
      inherited.values().forEach(a -> a.remove(gone.address()));
      gone.vnis().stream().filter(carried::contains).forEach(this::sync);
    }
  }

  private boolean settledOnce;

  private boolean settled() {
    if (settledOnce || (System.nanoTime() - startedNanos) / 1_000_000 < SETTLE_MS) {
      return false;
    }
    settledOnce = true;
    return true;
  }

  /** Makes the tunnel of {@code vni} send to exactly the nodes known to carry it. */
  private void sync(int vni) {
    Set<String> want = new HashSet<>();
    Set<String> known = new HashSet<>();
    nodes
        .values()
        .forEach(
            n -> {
              known.add(n.address());
              if (n.vnis().contains(vni)) {
                want.add(n.address());
              }
            });
    if (!settledOnce && (System.nanoTime() - startedNanos) / 1_000_000 < SETTLE_MS) {
      // not yet heard from everyone: what the tunnel sent to before the restart, for the nodes
      // not heard from, stays
      for (String a : inherited.getOrDefault(vni, Set.of())) {
        if (!known.contains(a)) {
          want.add(a);
        }
      }
    } else {
      inherited.clear();
    }
    tunnel.peers(vni, want);
  }
}
