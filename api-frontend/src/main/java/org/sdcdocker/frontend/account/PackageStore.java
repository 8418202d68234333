package org.sdcdocker.frontend.account;

import io.vertx.core.Future;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.sdcdocker.frontend.cluster.VersionedReplica;
import org.sdcdocker.protocol.DockerException;
import org.sdcdocker.protocol.ErrorKind;

/**
 * The packages an operator defined: in memory for every create, one file per package under {@code
 * packages/} in the front end's data root (written whole, then renamed). None defined: containers
 * get what they ask for, as Docker's. A package is never removed (containers name it), only
 * deactivated: no new container gets it.
 */
public final class PackageStore implements VersionedReplica.Store<ResourcePackage> {
  /** Triton's rule for a package's name: letters, digits and {@code _-.}, none doubled. */
  private static final String NAME = "[a-zA-Z0-9]([a-zA-Z0-9_.-]*[a-zA-Z0-9])?";

  private final Path dir;
  private final Map<String, ResourcePackage> byName = new ConcurrentHashMap<>();
  private final VersionedReplica.OwnChanges<ResourcePackage> own =
      new VersionedReplica.OwnChanges<>();

  private PackageStore(Path dir) {
    this.dir = dir;
  }

  /** Loads the packages kept under {@code dir}. Blocking. */
  public static PackageStore load(Path dir) throws IOException {
    PackageStore s = new PackageStore(dir);
    for (ResourcePackage p : RecordFiles.load(dir, ResourcePackage.class)) {
      s.byName.put(p.name(), p);
    }
    return s;
  }

  /** Whether a name is one a package may have. */
  public static boolean validName(String name) {
    return name != null
        && name.length() <= 64
        && name.matches(NAME)
        && !name.matches(".*[_.-][_.-].*");
  }

  /**
   * Completes once the last change of this package made here is in the fleet's map and every other
   * front end took it (at once in the embedded default); fails when the map could not take it.
   */
  public Future<Void> shared(String name) {
    return own.shared(name);
  }

  @Override
  public void onOwnChange(Function<ResourcePackage, Future<Void>> c) {
    own.add(c);
  }

  @Override
  public synchronized boolean apply(ResourcePackage remote) throws IOException {
    if (remote == null || !validName(remote.name())) {
      return false;
    }
    ResourcePackage mine = byName.get(remote.name());
    if (mine != null && mine.updated() >= remote.updated()) {
      return false;
    }
    write(remote);
    return true;
  }

  @Override
  public List<ResourcePackage> versions() {
    return List.copyOf(byName.values());
  }

  /** Whether any package is defined (active or not): then every container gets one. */
  public boolean defined() {
    return !byName.isEmpty();
  }

  /** Every package, by name. */
  public List<ResourcePackage> list() {
    List<ResourcePackage> out = new ArrayList<>(byName.values());
    out.sort(Comparator.comparing(ResourcePackage::name));
    return out;
  }

  /** The package named so, or with that uuid; 404 when there is none. */
  public ResourcePackage get(String nameOrUuid) {
    ResourcePackage p = byName.get(nameOrUuid);
    if (p == null) {
      p =
          byName.values().stream()
              .filter(x -> x.uuid().equals(nameOrUuid))
              .findFirst()
              .orElse(null);
    }
    if (p == null) {
      throw DockerException.notFound("no such package: %s", nameOrUuid);
    }
    return p;
  }

  /**
   * The package a new container gets, as the original chose it: the one its label {@value
   * ResourcePackage#LABEL} names (by name, whole uuid, or the uuid's first 8 digits), or else the
   * smallest active one with at least its memory ({@code defaultMiB} when it asks for none, the
   * first by name of equals). Only when packages are defined; null otherwise.
   */
  public ResourcePackage choose(Map<String, String> labels, long memoryBytes, long defaultMiB) {
    if (!defined()) {
      return null;
    }
    List<ResourcePackage> active = list().stream().filter(ResourcePackage::active).toList();
    String named = labels.get(ResourcePackage.LABEL);
    if (named != null) {
      if (!validName(named)) {
        throw DockerException.invalid("invalid value for %s: %s", ResourcePackage.LABEL, named);
      }
      List<ResourcePackage> found =
          active.stream().filter(p -> p.name().equals(named) || p.uuid().equals(named)).toList();
      if (found.isEmpty() && named.matches("[0-9a-f]{8}")) {
        found = active.stream().filter(p -> p.uuid().startsWith(named)).toList();
      }
      if (found.size() != 1) {
        throw noneFits(ResourcePackage.LABEL + "=" + named);
      }
      return found.get(0);
    }
    long wanted = memoryBytes > 0 ? memoryBytes : ResourcePackage.bytes(defaultMiB);
    return active.stream()
        .filter(p -> p.memoryBytes() >= wanted)
        .min(Comparator.comparingLong(ResourcePackage::memory))
        .orElseThrow(() -> noneFits("memory=" + humanSize(wanted)));
  }

  private static DockerException noneFits(String constraint) {
    return new DockerException(
        ErrorKind.UNPROCESSABLE,
        "no package supports the given container constraints: " + constraint);
  }

  /** A size as the original said it: whole units of the largest power of 1024 it reaches. */
  static String humanSize(long bytes) {
    String units = "bkmgt";
    int u = 0;
    long unit = 1;
    while (u < units.length() - 1 && bytes >= unit << 10) {
      unit <<= 10;
      u++;
    }
    return (bytes / unit) + units.substring(u, u + 1);
  }

  /**
   * Defines a package: sizes in MiB; swap 0 is twice the memory (Docker's default for {@code -m});
   * CPU shares 0 leave the runtime's default, cap 0 and pids 0 set none. Blocking.
   */
  public synchronized ResourcePackage add(
      String name, long memory, long swap, long disk, long cpuShares, long cpuCap, long pids)
      throws IOException {
    if (!validName(name)) {
      throw DockerException.invalid(
          "invalid package name %s: up to 64 of letters, digits and '_', '-', '.', starting and"
              + " ending with a letter or digit, none of '_', '-', '.' doubled",
          name);
    }
    if (byName.containsKey(name)) {
      throw DockerException.conflict(
          "package %s exists: packages do not change; deactivate it and add another", name);
    }
    if (memory < 6) {
      throw DockerException.invalid("invalid memory %d MiB: at least 6 (Docker's minimum)", memory);
    }
    long s = swap == 0 ? 2 * memory : swap;
    if (s < memory) {
      throw DockerException.invalid(
          "invalid swap %d MiB: it counts memory and swap together, so at least the memory (%d)",
          swap, memory);
    }
    if (disk < 0 || cpuShares < 0 || cpuCap < 0 || pids < 0) {
      throw DockerException.invalid("disk, cpu shares, cpu cap and pids cannot be negative");
    }
    if (cpuShares == 1 || cpuShares > 262_144) {
      throw DockerException.invalid("invalid cpu shares %d: 2 to 262144", cpuShares);
    }
    ResourcePackage p =
        new ResourcePackage(
            name,
            UUID.randomUUID().toString(),
            memory,
            s,
            disk,
            cpuShares,
            cpuCap,
            pids,
            true,
            Instant.now().toString(),
            System.currentTimeMillis());
    return save(p);
  }

  /** No new container gets it; those that have it keep it. Blocking. */
  public synchronized ResourcePackage deactivate(String nameOrUuid) throws IOException {
    ResourcePackage p = get(nameOrUuid);
    return p.active() ? save(p.at(next(p), false)) : p;
  }

  private ResourcePackage save(ResourcePackage p) throws IOException {
    write(p);
    own.made(p);
    return p;
  }

  /** A version time after the one held (clocks of front ends may differ a little). */
  private static long next(ResourcePackage held) {
    return Math.max(System.currentTimeMillis(), held.updated() + 1);
  }

  private void write(ResourcePackage p) throws IOException {
    RecordFiles.write(dir, p.name(), p);
    byName.put(p.name(), p);
  }
}
