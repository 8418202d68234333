package org.sdcdocker.frontend.cluster;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.sdcdocker.frontend.translate.Affinity;
import org.sdcdocker.frontend.translate.Creation;
import org.sdcdocker.protocol.DockerException;
import org.sdcdocker.protocol.ErrorKind;
import org.sdcdocker.protocol.agent.AgentEvents.Heartbeat;
import org.sdcdocker.protocol.agent.ContainerSpec;
import org.sdcdocker.protocol.agent.NetworkSpec;
import org.sdcdocker.protocol.agent.VolumeRecords;
import org.sdcdocker.protocol.agent.ZoneRecord;

/**
 * Where things go: a new container to a live node with memory left for it, the account's containers
 * spread over the nodes (the node with the fewest of the account's, then with the fewest of all),
 * unless what it shares (another container's volumes, links, a network namespace) is on a node
 * already, which it then must share; networks and volumes to any live node. Creates in flight count
 * on their node from the moment it is chosen, so a burst of creates spreads too.
 *
 * <p>Why it is long: each rule of placement (capacity, reserved and dead nodes, affinity filters
 * and labels, shared volumes, links and namespaces, host ports held by other accounts) is a short
 * method, and each has its own error in the original's words.
 */
final class Placement {
  private final AgentDirectory agents;
  private final ContainerIndex index;

  /** The creates placed and not yet answered, on every front end, by node: how many, and memory. */
  private final Map<String, InFlight> inFlight = new HashMap<>();

  private record InFlight(int zones, long memory, Map<String, Integer> byAccount) {}

  Placement(AgentDirectory agents, ContainerIndex index) {
    this.agents = agents;
    this.index = index;
  }

  /** The live node with the fewest zones (for a network or volume); 503 when none is live. */
  static String anyNode(AgentDirectory agents) {
    return agents.live().stream()
        .min(Comparator.comparingInt(Heartbeat::zones))
        .map(Heartbeat::cnUuid)
        .orElseThrow(
            () -> DockerException.unavailable("no compute node is available to run containers"));
  }

  /**
   * The node of a new container and its spec as that node gets it: the volumes of {@code from}
   * (when not null) added, the containers its network names resolved to ids.
   */
  Placed place(String account, ContainerSpec spec, Creation.VolumesFrom from) {
    return place(account, spec, from, null);
  }

  /**
   * The same for a container that must go to one node: what it uses there lives on it, such as a
   * node-local user-defined network or a named volume ({@code pin}: what, as "network web", and the
   * node; null for none).
   */
  Placed place(
      String account,
      ContainerSpec spec,
      Creation.VolumesFrom from,
      Map.Entry<String, String> pin) {
    load = index.loadByNode();
    ContainerSpec chosen;
    String cn;
    if (from == null && pin != null) {
      chosen = spec;
      cn =
          pinned(
              pin.getValue(),
              spec.host().memory(),
              "this container: the compute node of its " + pin.getKey());
    } else if (from == null) {
      chosen = spec;
      cn = node(account, spec.host().memory(), Affinity.of(spec), spec.network().ports());
    } else {
      ZoneRecord source = index.resolve(account, from.container());
      boolean ro = from.readOnly();
      List<VolumeRecords.MountSpec> mounts = new ArrayList<>(spec.mounts());
      for (VolumeRecords.MountSpec m : source.spec().mounts()) {
        // only the source's own volumes: not its host volumes, not what it took from others
        if (m.type().equals("volume")
            && m.from() == null
            && mounts.stream().noneMatch(x -> x.target().equals(m.target()))) {
          mounts.add(m.sharedFrom(source.spec().id(), ro));
        }
      }
      chosen = spec.withMounts(mounts);
      // the volumes' data is on that node: the new container goes there too
      cn =
          pinned(
              source.cnUuid(),
              spec.host().memory(),
              "a container with --volumes-from "
                  + from.container()
                  + ": the compute node that holds its volumes");
      if (pin != null && !pin.getValue().equals(cn)) {
        throw DockerException.unavailable(
            "cannot create this container: its --volumes-from and its %s are on different"
                + " compute nodes",
            pin.getKey());
      }
    }
    return networkPeers(account, chosen, cn);
  }

  /** A node the container must go to ({@code what} says why), if it is live and has room. */
  private String pinned(String cn, long memory, String what) {
    if (agents.live().stream().noneMatch(h -> h.cnUuid().equals(cn))) {
      throw DockerException.unavailable(
          "cannot create %s (%s) has no capacity for it (it is not available)", what, cn);
    }
    long left = memoryLeft(cn);
    if (memory > left) {
      throw DockerException.unavailable(
          "cannot create %s (%s) has no capacity for it (%d MiB of memory left, %d MiB asked)",
          what, cn, left >> 20, memory >> 20);
    }
    return cn;
  }

  /**
   * The creates in flight on every front end, as the cluster's reservations hold them (container id
   * → "cn account memory"): what {@link #place} counts on their nodes, but for the containers this
   * front end already knows (they count as their node's). Set with the choice that follows, one
   * placement at a time on this front end.
   */
  void inFlight(Map<String, String> reservations) {
    inFlight.clear();
    for (Map.Entry<String, String> r : reservations.entrySet()) {
      // known here: counted as a container; destroyed: its reservation (kept a while after its
      // create answered) is not taken back yet, and must not count as a create in flight
      if (index.byId(r.getKey()) != null || index.wasDestroyed(r.getKey())) {
        continue;
      }
      String[] f = r.getValue().split(" ");
      if (f.length == 3) {
        inFlight.merge(
            f[0],
            new InFlight(1, Long.parseLong(f[2]), Map.of(f[1], 1)),
            (a, b) -> new InFlight(a.zones + 1, a.memory + b.memory, plus(a.byAccount, f[1], 1)));
      }
    }
  }

  /** A placed create as the cluster's reservations hold it. */
  static String reservation(String account, Placed placed) {
    return placed.cn() + " " + account + " " + placed.spec().host().memory();
  }

  private static Map<String, Integer> plus(Map<String, Integer> m, String account, int n) {
    Map<String, Integer> out = new HashMap<>(m);
    out.merge(account, n, Integer::sum);
    out.values().removeIf(v -> v <= 0);
    return out;
  }

  /**
   * The nodes' loads, taken once per placement (one pass over the containers, not one per node).
   */
  private Map<String, ContainerIndex.NodeLoad> load = Map.of();

  private static final ContainerIndex.NodeLoad EMPTY =
      new ContainerIndex.NodeLoad(0, 0, 0, Map.of());

  /** The zones of a node (the index's, and the creates in flight to it); of one account or all. */
  private int zones(String cnUuid, String account) {
    ContainerIndex.NodeLoad l = load.getOrDefault(cnUuid, EMPTY);
    int known = account == null ? l.zones() : l.byAccount().getOrDefault(account, 0);
    InFlight f = inFlight.get(cnUuid);
    int flying = f == null ? 0 : account == null ? f.zones : f.byAccount.getOrDefault(account, 0);
    return known + flying;
  }

  /**
   * The node's memory not yet promised to its containers: what it has less the memory limits of
   * every container it holds, running or not (a container's -m is reserved while it exists).
   */
  private long memoryLeft(String cnUuid) {
    long total =
        agents.live().stream()
            .filter(h -> h.cnUuid().equals(cnUuid))
            .mapToLong(Heartbeat::memoryBytes)
            .findFirst()
            .orElse(0);
    long promised = load.getOrDefault(cnUuid, EMPTY).memory();
    InFlight f = inFlight.get(cnUuid);
    return total - promised - (f == null ? 0 : f.memory);
  }

  /**
   * Among the live nodes with room for {@code memory} bytes, those the affinities allow, and of
   * them the one with the fewest of the account's zones, then with the fewest zones. Hard rules
   * (all of them; soft ones given with hard ones are dropped, as sdc-docker did) must hold; soft
   * ones narrow the choice when something remains.
   */
  private String node(
      String account, long memory, List<Affinity> affinities, List<NetworkSpec.PortSpec> ports) {
    if (agents.live().isEmpty()) {
      return anyNode(agents); // says that no node is available
    }
    List<Heartbeat> open = agents.live().stream().filter(h -> !h.reserved()).toList();
    if (open.isEmpty()) {
      throw DockerException.unavailable(
          "no compute node takes new containers: every live node is reserved by the operator");
    }
    List<String> fit =
        open.stream().filter(h -> memoryLeft(h.cnUuid()) >= memory).map(Heartbeat::cnUuid).toList();
    if (fit.isEmpty()) {
      throw DockerException.unavailable(
          "no compute node has capacity for this container: it asks "
              + "for %d MiB of memory, the most any node has left is %d MiB",
          memory >> 20,
          agents.live().stream().mapToLong(h -> memoryLeft(h.cnUuid())).max().orElse(0) >> 20);
    }
    NetworkSpec.PortSpec taken = null;
    List<String> free = new ArrayList<>();
    for (String cn : fit) {
      NetworkSpec.PortSpec t = heldByOthers(cn, account, ports);
      if (t == null) {
        free.add(cn);
      } else {
        taken = t;
      }
    }
    if (free.isEmpty()) { // another account's container holds the host port on every node
      throw DockerException.conflict(
          "Bind for %s:%d failed: port is already allocated on every compute node",
          taken.hostIp().isEmpty() ? "0.0.0.0" : taken.hostIp(), taken.hostPortStart());
    }
    fit = free;
    List<Affinity> rules = affinities.stream().filter(a -> !a.ignored()).toList();
    boolean anyHard = rules.stream().anyMatch(a -> !a.soft());
    List<ZoneRecord> mine = index.all(account);
    List<String> allowed = new ArrayList<>(fit);
    for (Affinity a : rules) {
      if (anyHard && a.soft()) {
        continue;
      }
      List<ZoneRecord> matched = mine.stream().filter(r -> a.matches(r, mine)).toList();
      Set<String> theirs = new HashSet<>();
      matched.forEach(r -> theirs.add(r.cnUuid()));
      List<String> narrowed = new ArrayList<>(allowed);
      if (a.near()) {
        if (matched.isEmpty()) {
          if (a.soft()) {
            continue;
          }
          throw a.noMatch();
        }
        narrowed.retainAll(theirs);
        if (narrowed.isEmpty() && !a.soft()) {
          throw unmet(a, theirs, memory);
        }
      } else {
        narrowed.removeAll(theirs);
        if (narrowed.isEmpty() && !a.soft()) {
          throw DockerException.conflict(
              "no compute node satisfies the affinity \"%s\": every available node holds a "
                  + "matching container",
              a.text());
        }
      }
      if (!narrowed.isEmpty()) {
        allowed = narrowed; // a soft rule that leaves nothing is dropped
      }
    }
    return allowed.stream()
        .min(
            Comparator.comparingInt((String cn) -> zones(cn, account))
                .thenComparingInt(cn -> zones(cn, null)))
        .orElseThrow();
  }

  /**
   * The first of the asked host ports (single ones: a range can take any free port of it) that a
   * container of another account holds on the node (running, or stopped and asking for it at its
   * next start), or null. Accounts do not share a node's host ports: such a container goes to
   * another node, and another account cannot keep one from starting again.
   */
  private NetworkSpec.PortSpec heldByOthers(
      String cn, String account, List<NetworkSpec.PortSpec> wanted) {
    if (wanted.stream().noneMatch(p -> p.hostPortStart() > 0)) {
      return null;
    }
    for (ZoneRecord r : index.everything()) {
      if (!r.cnUuid().equals(cn) || r.spec().owner().equals(account)) {
        continue;
      }
      for (NetworkSpec.PortSpec p : wanted) {
        if (p.hostPortStart() <= 0 || p.hostPortStart() != p.hostPortEnd()) {
          continue;
        }
        if (r.state().running()) { // the ports it was given (a range gives one of it)
          for (var held : r.net().ports()) {
            if (clash(held.hostPort(), held.protocol(), held.hostIp(), p)) {
              return p;
            }
          }
        } else { // stopped, it holds the fixed host ports it will ask for at its next start
          for (var asked : r.spec().network().ports()) {
            if (asked.hostPortStart() == asked.hostPortEnd()
                && clash(asked.hostPortStart(), asked.protocol(), asked.hostIp(), p)) {
              return p;
            }
          }
        }
      }
    }
    return null;
  }

  private static boolean clash(int port, String protocol, String ip, NetworkSpec.PortSpec p) {
    return port == p.hostPortStart()
        && protocol.equals(p.protocol())
        && (anyAddress(ip) || anyAddress(p.hostIp()) || ip.equals(p.hostIp()));
  }

  private static boolean anyAddress(String ip) {
    return ip == null || ip.isEmpty() || ip.equals("0.0.0.0") || ip.equals("::");
  }

  /** Why a hard {@code ==} cannot be met on the node(s) of what it names. */
  private DockerException unmet(Affinity a, Set<String> theirs, long memory) {
    if (theirs.size() > 1) {
      return DockerException.conflict(
          "no compute node satisfies the affinity \"%s\": the containers it names are on "
              + "different compute nodes",
          a.text());
    }
    String cn = theirs.iterator().next();
    if (!agents.isLive(cn)) {
      return DockerException.conflict(
          "no compute node satisfies the affinity \"%s\": its compute node %s is not responding",
          a.text(), cn);
    }
    return DockerException.conflict(
        "no compute node satisfies the affinity \"%s\": its compute node %s has %d MiB of "
            + "memory left, %d MiB asked",
        a.text(), cn, memoryLeft(cn) >> 20, memory >> 20);
  }

  /** A spec and the node it goes to. */
  public record Placed(ContainerSpec spec, String cn) {}

  /**
   * Resolves the containers a spec's network names (links, {@code container:}) to ids. Links reach
   * across the fleet; a container that shares another's namespace goes to that one's node.
   */
  private Placed networkPeers(String account, ContainerSpec spec, String cn) {
    NetworkSpec n = spec.network();
    List<NetworkSpec.Link> links = new ArrayList<>();
    for (NetworkSpec.Link l : n.links()) {
      ZoneRecord t;
      try {
        t = index.resolve(account, l.name());
      } catch (DockerException e) {
        // as Docker's: a link to a missing container is the request's fault (400), not a 404
        throw new DockerException(
            e.kind() == ErrorKind.NOT_FOUND ? ErrorKind.INVALID_PARAMETER : e.kind(),
            "could not get container for " + l.name() + ": " + e.getMessage());
      }
      links.add(new NetworkSpec.Link(t.spec().id(), t.spec().name(), l.alias()));
    }
    String mode = n.mode();
    if (!n.sharesContainer()) {
      return new Placed(spec.withNetwork(n.withModeAndLinks(mode, links)), cn);
    }
    ZoneRecord t = index.resolve(account, mode.substring("container:".length()));
    mode = "container:" + t.spec().id();
    String peerCn = t.cnUuid();
    if (!spec.mounts().stream().allMatch(m -> m.from() == null) && !peerCn.equals(cn)) {
      throw DockerException.unavailable(
          "cannot create this container: its --volumes-from and the container whose network it "
              + "shares are on different compute nodes");
    }
    if (agents.live().stream().noneMatch(h -> h.cnUuid().equals(peerCn))) {
      throw DockerException.unavailable(
          "cannot create this container: the compute node of the container whose network it "
              + "shares (%s) has no capacity for it (it is not available)",
          peerCn);
    }
    if (!peerCn.equals(cn) && spec.host().memory() > memoryLeft(peerCn)) {
      throw DockerException.unavailable(
          "cannot create this container: the compute node of the container whose network it "
              + "shares (%s) has no capacity for it (%d MiB of memory left)",
          peerCn, memoryLeft(peerCn) >> 20);
    }
    return new Placed(spec.withNetwork(n.withModeAndLinks(mode, links)), peerCn);
  }
}
