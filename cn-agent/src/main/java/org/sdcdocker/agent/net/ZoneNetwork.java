package org.sdcdocker.agent.net;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.sdcdocker.agent.image.Trees;
import org.sdcdocker.protocol.Cidr;
import org.sdcdocker.protocol.DockerException;
import org.sdcdocker.protocol.Json;
import org.sdcdocker.protocol.agent.ContainerSpec;
import org.sdcdocker.protocol.agent.NetStatus;
import org.sdcdocker.protocol.agent.NetStatus.Attached;
import org.sdcdocker.protocol.agent.NetStatus.BoundPort;
import org.sdcdocker.protocol.agent.NetworkRecords;
import org.sdcdocker.protocol.agent.NetworkRecords.Member;
import org.sdcdocker.protocol.agent.NetworkRecords.Network;
import org.sdcdocker.protocol.agent.NetworkSpec;
import org.sdcdocker.protocol.agent.NetworkSpec.Endpoint;
import org.sdcdocker.protocol.agent.ZoneRecord;

/**
 * A zone's network while it runs: its own namespace with loopback, one interface per network it is
 * attached to (the CNI bridge chain, with portmap on the first when it publishes ports), its
 * /etc/hosts and /etc/resolv.conf; all undone when the run ends. Each attachment's plugin
 * configuration and result are kept in the zone's {@code net/} directory for the DEL.
 *
 * <p>Why it is long: it owns a zone's attachments (up, down, connect, disconnect, adopt) and each
 * network's bridge on this node; CNI configuration is BridgeConfs', names NetworkNames', files
 * ZoneEtc's.
 */
public final class ZoneNetwork {
  private final String cnUuid;
  private final Path ipamDir;
  private final NetworkStore networks;
  private final Cni cni;
  private final Function<String, ZoneRecord> zones;
  private final PortAllocator ports = new PortAllocator();
  private final Resolvers resolvers;
  private final BridgeConfs confs;

  /** The bridges whose rules are in place. */
  private final Set<String> prepared = ConcurrentHashMap.newKeySet();

  /** Per network id: the attached zones of this node and their endpoints. */
  private final Map<String, Map<String, Member>> members = new ConcurrentHashMap<>();

  /** What a start gets: the network status and the environment its links give. */
  public record Up(NetStatus status, List<String> linkEnv) {}

  /**
   * Per fleet-wide network: a zone's attachment and the removal of its idle bridge, one at once.
   */
  private final Map<String, Object> fleetLocks = new ConcurrentHashMap<>();

  /** This node's end of the fleet's fabric; null in the embedded default. */
  private volatile FabricLinks links;

  /** What the front ends know of the other nodes; null in the embedded default. */
  private volatile FleetLookups lookups;

  public ZoneNetwork(
      Path agentRoot,
      String cnUuid,
      NetworkStore networks,
      Cni cni,
      Function<String, ZoneRecord> zones) {
    this.cnUuid = cnUuid;
    this.ipamDir = agentRoot.resolve("cni/ipam");
    this.confs = new BridgeConfs(cnUuid, ipamDir);
    this.networks = networks;
    this.cni = cni;
    this.zones = zones;
    NetworkNames names = new NetworkNames(members, zones);
    this.resolvers =
        new Resolvers(
            names::lookup,
            (networkId, fromIp, name) -> {
              FleetLookups l = lookups;
              String asking = names.zoneAt(networkId, fromIp);
              return l == null || asking == null ? null : l.name(networkId, asking, name);
            });
  }

  public NetworkStore networks() {
    return networks;
  }

  /**
   * In a fleet: the fabric's tunnels of this node and what the front ends know of the others (set
   * before zones are adopted).
   */
  public void fleet(FabricLinks l, FleetLookups fleetLookups) {
    this.links = l;
    this.lookups = fleetLookups;
  }

  /** At create: the endpoints' networks resolved to ids (404 for a network the account lacks). */
  public NetworkSpec resolve(String owner, NetworkSpec n) {
    List<Endpoint> out = new ArrayList<>();
    NetworkSpec.Fabric fabric = n.fabric();
    for (Endpoint e : n.endpoints()) {
      Network net;
      if (e.fabric() != null) { // a fleet-wide user-defined network, as the front ends gave it
        if (links == null) {
          throw DockerException.unavailable("this compute node is not on the fleet's fabric");
        }
        synchronized (fleetLock(e.networkId())) {
          if (members(e.networkId()).isEmpty()) {
            networks.fleetNetwork(owner, e);
          }
        }
        out.add(e);
        continue;
      }
      if (fabric != null && e.network().equals(NetworkRecords.FABRIC)) {
        net = fleetFabric(owner, fabric);
        // the node's gateway on it is the node's: the front ends learn it from the zone's record
        fabric =
            new NetworkSpec.Fabric(fabric.vni(), fabric.subnet(), net.gateway(), fabric.address());
      } else {
        net = networks.resolve(owner, e.network());
      }
      if (e.ipv4() != null && !e.ipv4().isEmpty()) {
        if (net.fabric()) {
          throw DockerException.invalid(
              "user specified IP address is supported on user defined networks only");
        }
        if (!Cidr.parse(net.subnet()).contains(Cidr.addr(e.ipv4()))) {
          throw DockerException.invalid("no configured subnet contains IP address %s", e.ipv4());
        }
      }
      if (!e.aliases().isEmpty() && net.fabric()) {
        throw DockerException.invalid(
            "network-scoped alias is supported only for containers in user defined networks");
      }
      out.add(e.resolved(net.id(), net.name()));
    }
    return n.withEndpoints(out).withFabric(fabric);
  }

  /**
   * The account's fabric as the fleet allocated it; a node-local one that was here before goes,
   * unless a zone here runs on it.
   */
  private Network fleetFabric(String owner, NetworkSpec.Fabric f) {
    if (links == null) {
      throw DockerException.unavailable("this compute node is not on the fleet's fabric");
    }
    var have = networks.fabricIfAny(owner);
    if (have.isPresent() && !NetworkStore.sameFabric(have.get(), f)) {
      Network h = have.get();
      if (!members(h.id()).isEmpty()) {
        if (h.vni() == f.vni() && h.subnet().equals(f.subnet())) {
          return h; // the same fabric, its gateway here chosen before (a fleet restarted whole)
        }
        throw DockerException.conflict(
            "the account's network on this compute node is in use with subnet %s; the fleet's is %s",
            h.subnet(), f.subnet());
      }
      takeDown(h);
    }
    return networks.fleetFabric(owner, f);
  }

  /** Sets up the network of a zone about to start; on failure nothing of it is left. */
  public Up up(ContainerSpec spec, Path zoneDir) throws IOException {
    NetworkSpec n = spec.network();
    List<ZoneEtc.LinkTarget> links = linkTargets(spec);
    if (n.sharesContainer()) {
      ZoneRecord other = zones.apply(n.mode().substring("container:".length()));
      if (other == null || !other.state().running() || other.net().sandbox().isEmpty()) {
        throw DockerException.conflict(
            "cannot join network of a non running container: %s",
            n.mode().substring("container:".length()));
      }
      Path theirs = zoneDir.resolveSibling(other.spec().id());
      Files.copy(
          theirs.resolve("hosts"), zoneDir.resolve("hosts"), StandardCopyOption.REPLACE_EXISTING);
      Files.copy(
          theirs.resolve("resolv.conf"),
          zoneDir.resolve("resolv.conf"),
          StandardCopyOption.REPLACE_EXISTING);
      return new Up(
          new NetStatus(other.net().sandbox(), List.of(), List.of()), linkEnv(spec, links));
    }
    String ns = netnsName(spec.id());
    HostNet.deleteNetns(ns);
    HostNet.addNetns(ns);
    NetStatus st = new NetStatus(HostNet.netnsPath(ns), List.of(), List.of());
    try {
      cni.add(
          Cni.confList(
              "sdc-loopback", List.of(Json.MAPPER.createObjectNode().put("type", "loopback"))),
          new Cni.Target(spec.id(), st.sandbox(), "lo"),
          Map.of());
      List<BoundPort> bound =
          n.ports().isEmpty() || n.endpoints().isEmpty()
              ? List.of()
              : ports.allocate(spec.id(), spec.name(), n.ports());
      List<Attached> attached = new ArrayList<>();
      for (Endpoint e : n.endpoints()) {
        attached.add(
            attach(
                spec,
                zoneDir,
                st.sandbox(),
                "eth" + attached.size(),
                e,
                attached.isEmpty() ? bound : List.of()));
      }
      st = new NetStatus(st.sandbox(), attached, bound);
      writeEtc(spec, zoneDir, st, links);
      return new Up(st, linkEnv(spec, links));
    } catch (IOException | RuntimeException e) {
      down(spec.id(), zoneDir);
      throw e;
    }
  }

  /** Undoes a zone's network: every attachment, its ports, its namespace. */
  public void down(String zoneId, Path zoneDir) {
    Path dir = zoneDir.resolve("net");
    if (!sharedByARunningZone(zoneId)) {
      // without the namespace its interfaces are gone at once, and the plugins' DEL only
      // releases what is on the host: much quicker than taking the interfaces out one by one
      HostNet.deleteNetns(netnsName(zoneId));
    }
    if (Files.isDirectory(dir)) {
      try (var s = Files.list(dir)) {
        for (Path f : s.toList()) {
          String name = f.getFileName().toString();
          if (name.endsWith(".json")) {
            detach(zoneId, zoneDir, name.substring(0, name.length() - 5));
          }
        }
      } catch (IOException e) {
        // what could not be read stays for the zone's removal to try again
      }
    }
    // an agent killed in an earlier down left the record's attachments without their files: the
    // zone is no member of any network once its run is over, or an idle bridge would stay forever
    for (String networkId : List.copyOf(members.keySet())) {
      leave(zoneId, networkId);
    }
    ports.release(zoneId);
    HostNet.deleteNetns(netnsName(zoneId));
  }

  private boolean sharedByARunningZone(String zoneId) {
    return members.values().stream()
        .flatMap(m -> m.keySet().stream())
        .distinct()
        .map(zones)
        .anyMatch(
            r ->
                r != null
                    && r.state().running()
                    && r.spec().network().mode().equals("container:" + zoneId));
  }

  /** Attaches a running zone to one more network. */
  public NetStatus connect(ContainerSpec spec, Path zoneDir, NetStatus st, Endpoint e)
      throws IOException {
    int n = 0;
    while (true) {
      String candidate = "eth" + n;
      if (st.attached().stream().noneMatch(a -> a.ifname().equals(candidate))) {
        break;
      }
      n++;
    }
    List<Attached> all = new ArrayList<>(st.attached());
    all.add(attach(spec, zoneDir, st.sandbox(), "eth" + n, e, List.of()));
    NetStatus next = new NetStatus(st.sandbox(), all, st.ports());
    writeEtc(spec, zoneDir, next, linkTargets(spec));
    return next;
  }

  /** Detaches a running zone from a network. */
  public NetStatus disconnect(ContainerSpec spec, Path zoneDir, NetStatus st, String networkId) {
    detach(spec.id(), zoneDir, networkId);
    return new NetStatus(
        st.sandbox(),
        st.attached().stream().filter(a -> !a.networkId().equals(networkId)).toList(),
        st.ports());
  }

  /** Takes back what a zone that runs on (across an agent restart) holds. */
  public void adopt(ContainerSpec spec, NetStatus st) {
    ports.adopt(spec.id(), st.ports());
    for (Attached a : st.attached()) {
      join(spec, a);
    }
  }

  /** The zones of this node attached to a network now. */
  public List<Member> members(String networkId) {
    return List.copyOf(members.getOrDefault(networkId, Map.of()).values());
  }

  /** Removes a user-defined network that nothing here uses; its leases go with it. */
  public void remove(Network n) throws IOException {
    if (!members(n.id()).isEmpty()) {
      throw DockerException.forbidden(
          "error while removing network: network %s id %s has active endpoints", n.name(), n.id());
    }
    networks.remove(n);
    takeDown(n);
    Trees.delete(ipamDir.resolve(BridgeConfs.confName(n.id())));
  }

  /**
   * Frees the addresses held for zones that do not run: what an agent killed between a zone's exit
   * (or a failed start) and the release of its address left (host-local's lease files).
   */
  public void releaseLeasesExcept(Set<String> running) throws IOException {
    if (!Files.isDirectory(ipamDir)) {
      return;
    }
    try (var nets = Files.list(ipamDir)) {
      for (Path net : nets.filter(Files::isDirectory).toList()) {
        try (var files = Files.list(net)) {
          for (Path lease :
              files
                  .filter(f -> f.getFileName().toString().matches("[0-9a-f.:]*[.:][0-9a-f.:]*"))
                  .toList()) {
            String holder = Files.readString(lease).strip().split("\\s+")[0];
            if (!running.contains(holder)) {
              Files.deleteIfExists(lease);
            }
          }
        }
      }
    }
  }

  /**
   * Removes the bridges no zone uses any more (a bridge stays while its network is idle, so the
   * next zone finds it ready): at the agent's start and stop.
   */
  public void sweepIdle() {
    for (Network n : networks.all()) {
      if (members(n.id()).isEmpty()) {
        takeDown(n);
      }
    }
  }

  private void takeDown(Network n) {
    String bridge = bridgeName(n.id());
    resolvers.stop(n.id());
    if (n.spansFleet() && links != null) {
      links.down(n.vni());
    }
    if (HostNet.exists(bridge) || prepared.contains(bridge)) {
      HostNet.removeBridge(bridge, n.subnet());
    }
    prepared.remove(bridge);
  }

  private Attached attach(
      ContainerSpec spec,
      Path zoneDir,
      String netns,
      String ifname,
      Endpoint e,
      List<BoundPort> bound)
      throws IOException {
    Network net =
        networks
            .byId(e.networkId())
            .orElseThrow(() -> DockerException.notFound("network %s not found", e.network()));
    // a fleet-wide network's bridge and tunnel go with its last zone here: one at a time
    synchronized (net.spansFleet() ? fleetLock(net.id()) : new Object()) {
      if (net.spansFleet() && members(net.id()).isEmpty() && staleBridge(net)) {
        takeDown(net); // left with another address (an agent killed before it took it down)
      }
      Map<String, Object> rc = new LinkedHashMap<>();
      if (!bound.isEmpty()) {
        rc.put(
            "portMappings",
            bound.stream()
                .map(
                    b ->
                        Map.of(
                            "hostPort",
                            b.hostPort(),
                            "containerPort",
                            b.containerPort(),
                            "protocol",
                            b.protocol(),
                            "hostIP",
                            b.hostIp().equals("0.0.0.0") ? "" : b.hostIp()))
                .toList());
      }
      if (e.ipv4() != null && !e.ipv4().isEmpty() && !net.spansFleet()) {
        rc.put("ips", List.of(e.ipv4() + "/" + Cidr.parse(net.subnet()).bits()));
      }
      String bridge = bridgeName(net.id());
      if (prepared.add(bridge)) {
        try {
          HostNet.prepareBridge(bridge, net.subnet(), net.internal());
        } catch (RuntimeException ex) {
          prepared.remove(bridge);
          throw ex;
        }
      }
      String fleetAddress = null;
      if (net.spansFleet()) {
        NetworkSpec.Fabric f = e.fabric() != null ? e.fabric() : spec.network().fabric();
        if (f == null || links == null || f.vni() != net.vni()) {
          throw DockerException.conflict(
              "container %s has no address on the fleet's fabric: it was made before its account's"
                  + " network spanned the fleet; remove it and run it again",
              spec.name());
        }
        fleetAddress = f.address();
      }
      ObjectNode conf =
          confs.confList(
              net, e.mac(), !bound.isEmpty(), fleetAddress, fleetAddress == null ? 0 : links.mtu());
      Cni.Target target = new Cni.Target(spec.id(), netns, ifname);
      JsonNode result;
      try {
        result = cni.add(conf, target, rc);
      } catch (RuntimeException ex) {
        if (ex.getMessage() == null
            || !ex.getMessage().contains("already exists")
                && !ex.getMessage().contains("duplicate allocation")) {
          throw ex;
        }
        // an interface (or its address) an agent killed between the plugin's ADD and its record
        // left
        // behind
        cni.del(conf, target, rc, null);
        result = cni.add(conf, target, rc);
      }
      Files.createDirectories(zoneDir.resolve("net"));
      ObjectNode cache = Json.MAPPER.createObjectNode();
      cache.set("conf", conf);
      cache.set("runtimeConfig", Json.MAPPER.valueToTree(rc));
      cache.set("result", result);
      cache.put("netns", netns);
      cache.put("ifname", ifname);
      Cni.write(zoneDir.resolve("net").resolve(net.id() + ".json"), cache);
      if (fleetAddress != null) {
        links.up(net.vni(), bridge); // the bridge is there now: its tunnel joins it
      }
      Cni.Ip ip = Cni.Ip.of(result);
      Attached a =
          new Attached(
              net.id(), net.name(), ifname, ip.ip(), ip.prefixLen(), ip.gateway(), ip.mac());
      join(spec, a);
      return a;
    }
  }

  /** Whether the network's bridge is here with an address other than its gateway. */
  private boolean staleBridge(Network net) {
    String bridge = bridgeName(net.id());
    if (!HostNet.exists(bridge)) {
      return false;
    }
    List<String> out = new ArrayList<>();
    HostNet.exec(List.of("ip", "-o", "-4", "addr", "show", "dev", bridge), out);
    return out.stream().anyMatch(l -> l.contains(" inet "))
        && out.stream().noneMatch(l -> l.contains(" inet " + net.gateway() + "/"));
  }

  private Object fleetLock(String networkId) {
    return fleetLocks.computeIfAbsent(networkId, k -> new Object());
  }

  private void join(ContainerSpec spec, Attached a) {
    members
        .computeIfAbsent(a.networkId(), k -> new ConcurrentHashMap<>())
        .put(
            spec.id(),
            new Member(spec.id(), spec.name(), a.ifname(), a.ip(), a.prefixLen(), a.mac()));
    networks
        .byId(a.networkId())
        .filter(n -> !n.fabric())
        .ifPresent(n -> resolvers.serve(n, a.gateway()));
    FabricLinks l = links;
    if (l != null) {
      networks.byId(a.networkId()).filter(Network::spansFleet).ifPresent(n -> l.adopt(n.vni()));
    }
  }

  private void detach(String zoneId, Path zoneDir, String networkId) {
    Path f = zoneDir.resolve("net").resolve(networkId + ".json");
    try {
      JsonNode cache = Json.MAPPER.readTree(Files.readAllBytes(f));
      Map<String, Object> rc = Json.MAPPER.convertValue(cache.get("runtimeConfig"), Map.class);
      cni.del(
          (ObjectNode) cache.get("conf"),
          new Cni.Target(zoneId, cache.path("netns").asText(), cache.path("ifname").asText()),
          rc,
          cache.get("result"));
      Files.deleteIfExists(f);
    } catch (IOException | RuntimeException e) {
      try {
        Files.deleteIfExists(f); // a DEL the plugins refuse cannot be retried usefully
      } catch (IOException ignored) {
        // left in a directory that goes with the zone
      }
    }
    leave(zoneId, networkId);
  }

  private void leave(String zoneId, String networkId) {
    Map<String, Member> m = members.get(networkId);
    if (m != null && m.remove(zoneId) != null && m.isEmpty()) {
      members.remove(networkId);
      resolvers.stop(networkId);
      // a fleet-wide network's bridge and tunnel go with its last zone here (a node-local one's
      // bridge stays ready for the next)
      networks
          .byId(networkId)
          .filter(Network::spansFleet)
          .ifPresent(
              n -> {
                synchronized (fleetLock(n.id())) { // unless a zone joined it meanwhile
                  if (!members.containsKey(n.id())) {
                    takeDown(n);
                  }
                }
              });
    }
  }

  private void writeEtc(
      ContainerSpec spec, Path zoneDir, NetStatus st, List<ZoneEtc.LinkTarget> links)
      throws IOException {
    String gateway = st.attached().isEmpty() ? "127.0.0.1" : st.attached().get(0).gateway();
    writeInPlace(zoneDir.resolve("hosts"), ZoneEtc.hosts(spec, st, links, gateway));
    String embedded =
        st.attached().stream()
            .filter(a -> networks.byId(a.networkId()).map(n -> !n.fabric()).orElse(false))
            .map(Attached::gateway)
            .findFirst()
            .orElse(null);
    writeInPlace(zoneDir.resolve("resolv.conf"), ZoneEtc.resolvConf(spec, embedded));
  }

  /** Rewrites a file the zone has bind-mounted: the same inode, so the zone sees the change. */
  private static void writeInPlace(Path f, String content) throws IOException {
    Files.writeString(f, content, StandardCharsets.UTF_8);
  }

  private List<ZoneEtc.LinkTarget> linkTargets(ContainerSpec spec) {
    List<ZoneEtc.LinkTarget> out = new ArrayList<>();
    for (NetworkSpec.Link l : spec.network().links()) {
      ZoneRecord t = zones.apply(l.zoneId());
      FleetLookups fleet = lookups;
      if (t == null && fleet != null) { // a target on another node
        t = fleet.zone(spec.owner(), l.zoneId());
      }
      if (t == null || !t.state().running() || t.net().attached().isEmpty()) {
        throw DockerException.invalid(
            "Cannot link to a non running container: /%s AS /%s/%s",
            l.name(), spec.name(), l.alias());
      }
      List<String> exposed = new ArrayList<>(t.spec().network().exposed());
      t.spec()
          .network()
          .ports()
          .forEach(
              p -> {
                String k = p.containerPort() + "/" + p.protocol();
                if (!exposed.contains(k)) {
                  exposed.add(k);
                }
              });
      out.add(new ZoneEtc.LinkTarget(l, t.net().attached().get(0).ip(), exposed, t.spec().env()));
    }
    return out;
  }

  private static List<String> linkEnv(ContainerSpec spec, List<ZoneEtc.LinkTarget> links) {
    List<String> env = new ArrayList<>();
    links.forEach(l -> env.addAll(ZoneEtc.linkEnv(spec.name(), l)));
    return env;
  }

  static String netnsName(String zoneId) {
    return "sdc-" + zoneId;
  }

  String bridgeName(String networkId) {
    return BridgeConfs.bridgeName(cnUuid, networkId);
  }

  /** The bridge of a network on a node: unique per node and network, within IFNAMSIZ. */
  public static String bridgeName(String cnUuid, String networkId) {
    return BridgeConfs.bridgeName(cnUuid, networkId);
  }

  /**
   * Stops the resolvers and removes idle bridges (the agent stops; running zones keep everything).
   */
  public void close() {
    resolvers.close();
    sweepIdle();
  }
}
