package org.sdcdocker.frontend.cluster;

import io.vertx.core.Future;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Function;
import org.sdcdocker.frontend.account.RecordFiles;
import org.sdcdocker.protocol.DockerException;
import org.sdcdocker.protocol.agent.NetworkRecords.Network;

/**
 * The user-defined networks of a fleet, which span its nodes: each front end holds every one, in
 * memory for each create and one file each under {@code networks/} in its data root, the same on
 * every front end (a {@link VersionedReplica}: a network made or removed through one front end is
 * in the cluster's map before the client hears of it, and the others read the map before they
 * answer about networks; a whole fleet that restarted still has them). A removal is kept as a
 * tombstone. A node has its copy of a network only while a container of it is there.
 */
public final class FleetNetworks implements VersionedReplica.Store<FleetNetworks.Version> {
  /** One version of a network's record; {@code removed}: the network is gone. */
  public record Version(Network network, long updated, boolean removed)
      implements VersionedReplica.Versioned {
    @Override
    public String key() {
      return network.id();
    }
  }

  private final Path dir;
  private final Map<String, Version> byId = new ConcurrentHashMap<>();
  private final VersionedReplica.OwnChanges<Version> own = new VersionedReplica.OwnChanges<>();
  private final List<Consumer<Version>> onAny = new CopyOnWriteArrayList<>();

  private FleetNetworks(Path dir) {
    this.dir = dir;
  }

  /** Loads the networks kept under {@code dir} (none: null). Blocking. */
  public static FleetNetworks load(Path dir) throws IOException {
    FleetNetworks s = new FleetNetworks(dir);
    if (dir != null) {
      for (Version v : RecordFiles.load(dir, Version.class)) {
        s.byId.put(v.key(), v);
      }
    }
    return s;
  }

  @Override
  public void onOwnChange(Function<Version, Future<Void>> c) {
    own.add(c);
  }

  /**
   * Called with every version taken, this front end's own and the others'; at once with each
   * network held now.
   */
  void onAny(Consumer<Version> c) {
    onAny.add(c);
    byId.values().stream().filter(v -> !v.removed()).forEach(c);
  }

  @Override
  public synchronized boolean apply(Version remote) throws IOException {
    if (remote == null || remote.network() == null || remote.network().id() == null) {
      return false;
    }
    Version mine = byId.get(remote.key());
    if (mine != null && mine.updated() >= remote.updated()) {
      return false;
    }
    write(remote);
    onAny.forEach(c -> c.accept(remote));
    return true;
  }

  @Override
  public List<Version> versions() {
    return List.copyOf(byId.values());
  }

  /**
   * A network made through this front end; what it gives completes once the other front ends can
   * read it. Blocking.
   */
  synchronized Future<Void> add(Network n) throws IOException {
    Version v = new Version(n, System.currentTimeMillis(), false);
    write(v);
    onAny.forEach(c -> c.accept(v));
    return own.made(v);
  }

  /**
   * A network removed through this front end; what it gives completes once the other front ends can
   * read that. Blocking.
   */
  synchronized Future<Void> remove(Network n) throws IOException {
    Version held = byId.get(n.id());
    long at = Math.max(System.currentTimeMillis(), held == null ? 0 : held.updated() + 1);
    Version v = new Version(n, at, true);
    write(v);
    onAny.forEach(c -> c.accept(v));
    return own.made(v);
  }

  /** The network with this id, unless removed. */
  Optional<Network> byId(String id) {
    Version v = byId.get(id);
    return v == null || v.removed() ? Optional.empty() : Optional.of(v.network());
  }

  /** Whether the id is a fleet-wide network's, removed or not. */
  boolean known(String id) {
    return byId.containsKey(id);
  }

  /** The account's networks, oldest first. */
  List<Network> of(String owner) {
    List<Network> out = new ArrayList<>();
    for (Version v : byId.values()) {
      if (!v.removed() && v.network().owner().equals(owner)) {
        out.add(v.network());
      }
    }
    out.sort(Comparator.comparing(Network::created));
    return out;
  }

  /** Every network of every account (for the subnets they hold). */
  List<Network> all() {
    return byId.values().stream().filter(v -> !v.removed()).map(Version::network).toList();
  }

  /**
   * The account's network by full id, name or unique id prefix (Docker's order); empty when it has
   * none; 400 when a prefix is ambiguous.
   */
  Optional<Network> find(String owner, String ref) {
    List<Network> mine = of(owner);
    for (Network n : mine) {
      if (n.id().equals(ref)) {
        return Optional.of(n);
      }
    }
    for (Network n : mine) {
      if (n.name().equals(ref)) {
        return Optional.of(n);
      }
    }
    List<Network> p = mine.stream().filter(n -> !ref.isEmpty() && n.id().startsWith(ref)).toList();
    if (p.size() > 1) {
      throw DockerException.invalid(
          "network %s is ambiguous (%d matches found based on ID prefix)", ref, p.size());
    }
    return p.stream().findFirst();
  }

  private void write(Version v) throws IOException {
    if (dir != null) {
      RecordFiles.write(dir, v.key(), v);
    }
    byId.put(v.key(), v);
  }
}
