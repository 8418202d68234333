package org.sdcdocker.agent.net;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.sdcdocker.protocol.Cidr;
import org.sdcdocker.protocol.DockerException;
import org.sdcdocker.protocol.Json;
import org.sdcdocker.protocol.agent.NetworkRecords;
import org.sdcdocker.protocol.agent.NetworkRecords.CreateNetwork;
import org.sdcdocker.protocol.agent.NetworkRecords.Network;
import org.sdcdocker.protocol.agent.NetworkSpec;

/**
 * The networks this node carries, one record file each under {@code networks/}: every account's
 * fabric (made the first time the account needs it) and the user-defined ones. Subnets come from
 * the node's pool, never overlapping another network or a route of the host: a /22 for a fabric
 * (1,021 containers of the account on the node, as Triton's default fabric network is a /22), a /24
 * for a user-defined network without {@code --subnet}.
 */
public final class NetworkStore {
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Path root;
  private final Cidr pool;

  public NetworkStore(Path root, String pool) throws IOException {
    this.root = root;
    this.pool = Cidr.parse(pool);
    Files.createDirectories(root);
  }

  /** The account's fabric, made when it has none yet. */
  public synchronized Network fabric(String owner) {
    String id = fabricId(owner);
    Optional<Network> have = read(id);
    if (have.isPresent()) {
      return have.get();
    }
    Cidr subnet = freeSubnet(FABRIC_BITS);
    return save(
        fabricRecord(
            id,
            owner,
            subnet.toString(),
            Cidr.dotted(subnet.host(1)),
            Instant.now().toString(),
            0));
  }

  /** The record of an account's fabric ({@code vni} 0: this node's alone). */
  private static Network fabricRecord(
      String id, String owner, String subnet, String gateway, String created, int vni) {
    return new Network(
        id,
        NetworkRecords.FABRIC,
        owner,
        "bridge",
        subnet,
        gateway,
        null,
        false,
        Map.of(),
        created,
        true,
        Map.of(),
        vni);
  }

  /**
   * The account's fabric as the fleet's front ends allocated it (its subnet and VNI the fleet's,
   * its gateway this node's address on it): kept as it is when the record says the same, written
   * over otherwise (the caller made sure no zone here uses the old one).
   */
  public synchronized Network fleetFabric(String owner, NetworkSpec.Fabric f) {
    String id = fabricId(owner);
    Optional<Network> have = read(id);
    if (have.isPresent() && sameFabric(have.get(), f)) {
      return have.get();
    }
    return save(
        fabricRecord(
            id,
            owner,
            f.subnet(),
            f.gateway(),
            have.map(Network::created).orElse(Instant.now().toString()),
            f.vni()));
  }

  /**
   * This node's copy of a user-defined network of the fleet, as the front ends describe it in an
   * attachment (its id and name; its VNI, subnet and internal flag; this node's gateway on it):
   * kept when the copy says the same, written over otherwise. Its subnet must not overlap another
   * network here or a route of the host.
   */
  public synchronized Network fleetNetwork(String owner, NetworkSpec.Endpoint e) {
    NetworkSpec.Fabric f = e.fabric();
    Optional<Network> have = read(e.networkId());
    if (have.isPresent()
        && sameFabric(have.get(), f)
        && have.get().internal() == f.internal()
        && have.get().name().equals(e.network())) {
      return have.get();
    }
    Cidr subnet = Cidr.parse(f.subnet());
    for (Network n : all()) {
      if (!n.id().equals(e.networkId()) && Cidr.parse(n.subnet()).overlaps(subnet)) {
        throw DockerException.forbidden(
            "network %s (%s) overlaps network %s on this compute node",
            e.network(), f.subnet(), n.name());
      }
    }
    return save(
        new Network(
            e.networkId(),
            e.network(),
            owner,
            "bridge",
            f.subnet(),
            f.gateway(),
            null,
            f.internal(),
            Map.of(),
            have.map(Network::created).orElse(Instant.now().toString()),
            false,
            Map.of(),
            f.vni()));
  }

  /** The account's fabric on this node, if it has one yet. */
  public synchronized Optional<Network> fabricIfAny(String owner) {
    return read(fabricId(owner));
  }

  static boolean sameFabric(Network n, NetworkSpec.Fabric f) {
    return n.vni() == f.vni() && n.subnet().equals(f.subnet()) && n.gateway().equals(f.gateway());
  }

  /** A user-defined network, as {@code docker network create} asks. */
  public synchronized Network create(CreateNetwork c) {
    NetworkRecords.checkNewName(c.name());
    if (list(c.owner()).stream().anyMatch(n -> n.name().equals(c.name()))) {
      throw DockerException.conflict("network with name %s already exists", c.name());
    }
    Cidr subnet =
        c.subnet() == null || c.subnet().isEmpty() ? freeSubnet(24) : Cidr.parse(c.subnet());
    if (subnet.bits() > 30) {
      throw DockerException.invalid("invalid subnet %s: too small for containers", subnet);
    }
    for (Network n : all()) {
      if (Cidr.parse(n.subnet()).overlaps(subnet)) {
        throw DockerException.forbidden("Pool overlaps with other one on this address space");
      }
    }
    byte[] b = new byte[32];
    RANDOM.nextBytes(b);
    return save(
        NetworkRecords.userNetwork(
            c, HexFormat.of().formatHex(b), subnet, Instant.now().toString(), 0));
  }

  /** The account's network by full id, name or id prefix (Docker's order); 404 otherwise. */
  public synchronized Network resolve(String owner, String ref) {
    if (ref.equals(NetworkRecords.FABRIC)) {
      return fabric(owner);
    }
    List<Network> mine = list(owner);
    for (Network n : mine) {
      if (n.id().equals(ref)) {
        return n;
      }
    }
    for (Network n : mine) {
      if (n.name().equals(ref)) {
        return n;
      }
    }
    List<Network> byPrefix = mine.stream().filter(n -> n.id().startsWith(ref)).toList();
    if (byPrefix.size() == 1 && !ref.isEmpty()) {
      return byPrefix.get(0);
    }
    throw DockerException.notFound("network %s not found", ref);
  }

  /** A network by id, whoever owns it. */
  public synchronized Optional<Network> byId(String id) {
    return read(id);
  }

  /**
   * The account's networks, its fabric first (made when missing, as Docker always lists bridge).
   */
  public synchronized List<Network> list(String owner) {
    List<Network> out = new ArrayList<>();
    out.add(fabric(owner));
    for (Network n : all()) {
      if (n.owner().equals(owner) && !n.fabric()) {
        out.add(n);
      }
    }
    return out;
  }

  /** Forgets a user-defined network (its users were checked by the caller). */
  public synchronized void remove(Network n) throws IOException {
    if (n.fabric()) {
      throw DockerException.forbidden(
          "%s is a pre-defined network and cannot be removed", n.name());
    }
    Files.deleteIfExists(root.resolve(n.id() + ".json"));
  }

  synchronized List<Network> all() {
    List<Network> out = new ArrayList<>();
    try (var s = Files.list(root)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        if (p.getFileName().toString().endsWith(".json")) {
          out.add(Json.decode(Files.readAllBytes(p), Network.class));
        }
      }
    } catch (IOException e) {
      throw DockerException.internal("reading networks: %s", e.getMessage());
    }
    out.sort(Comparator.comparing(Network::created));
    return out;
  }

  private Optional<Network> read(String id) {
    Path p = root.resolve(id + ".json");
    try {
      return Files.exists(p)
          ? Optional.of(Json.decode(Files.readAllBytes(p), Network.class))
          : Optional.empty();
    } catch (IOException e) {
      throw DockerException.internal("reading network %s: %s", id, e.getMessage());
    }
  }

  private Network save(Network n) {
    Path tmp = root.resolve(n.id() + ".json.tmp");
    try {
      Files.write(tmp, Json.bytes(n));
      Files.move(tmp, root.resolve(n.id() + ".json"), StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw DockerException.internal("saving network %s: %s", n.name(), e.getMessage());
    }
    return n;
  }

  private static final int FABRIC_BITS = 22;

  /** The first subnet of {@code bits} in the pool that no network and no route of the host uses. */
  private Cidr freeSubnet(int bits) {
    List<Cidr> used = new ArrayList<>(HostRoutes.ipv4());
    for (Network n : all()) {
      used.add(Cidr.parse(n.subnet()));
    }
    for (int i = 0; ; i++) {
      Cidr c = pool.subnet(i, Math.max(bits, pool.bits()));
      if (c == null) {
        throw DockerException.unavailable(
            "could not find an available, non-overlapping IPv4 address pool among the "
                + "defaults to assign to the network");
      }
      if (used.stream().noneMatch(u -> u.bits() > 0 && u.overlaps(c))) {
        return c;
      }
    }
  }

  /** A fabric's id: the same for an account on every start. */
  static String fabricId(String owner) {
    try {
      byte[] d =
          MessageDigest.getInstance("SHA-256")
              .digest(("fabric:" + owner).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
