package org.sdcdocker.agent.zone;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.BinaryOperator;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.sdcdocker.agent.image.LayerCache;
import org.sdcdocker.agent.net.Cni;
import org.sdcdocker.agent.net.NetworkStore;
import org.sdcdocker.agent.net.ZoneNetwork;
import org.sdcdocker.agent.runtime.ContainerRuntime;
import org.sdcdocker.protocol.DockerException;
import org.sdcdocker.protocol.agent.AgentEvents.ZoneEvent;
import org.sdcdocker.protocol.agent.ContainerSpec;
import org.sdcdocker.protocol.agent.LayerRef;
import org.sdcdocker.protocol.agent.ZoneRecord;
import org.sdcdocker.protocol.agent.ZoneState;

/**
 * The Linux zone backend: a zone is a directory with an overlayfs rootfs over cached layers, run by
 * the container runtime under conmon. Every method blocks; the verticle calls them off the event
 * loop. Operations on one zone are serialized on that zone. This class is the agent's one door to
 * its zones; the work is in {@link ZoneTable} (the zones and their locks), {@link ZoneStarter},
 * {@link ZoneRuns} (exits, restart policies, recovery) and {@link ZoneRemoval}.
 *
 * <p>Why it is long: it is the agent's one door to its zones; each method is a few lines under the
 * zone's lock, handing the work to the classes named above.
 */
public final class LinuxZoneBackend {
  private final String cnUuid;
  private final ZoneTable table;
  private final LayerCache layers;
  private final ContainerRuntime runtime;
  private final Path nativeDir;
  private final VolumeStore volumes;
  private final ZoneNetwork net;
  private final ZoneRootfs rootfs;
  private final ZoneRuns runs;
  private final ZoneStarter starter;
  private final ZoneRemoval removal;
  private final UrlPolicy urlPolicy;

  public LinuxZoneBackend(
      String cnUuid,
      Path root,
      LayerCache layers,
      ContainerRuntime runtime,
      Path nativeDir,
      Consumer<ZoneEvent> events,
      String networkPool,
      UrlPolicy urlPolicy)
      throws IOException {
    this.cnUuid = cnUuid;
    this.urlPolicy = urlPolicy;
    this.table = new ZoneTable(new ZoneStore(root), events);
    this.volumes = new VolumeStore(root.resolve("volumes"));
    this.rootfs = new ZoneRootfs(layers, volumes);
    this.net =
        new ZoneNetwork(
            root,
            cnUuid,
            new NetworkStore(root.resolve("networks"), networkPool),
            new Cni(Path.of("/usr/lib/cni")),
            id -> {
              Zone z = table.find(id);
              return z == null ? null : z.record;
            });
    this.layers = layers;
    this.runtime = runtime;
    this.nativeDir = nativeDir;
    this.runs = new ZoneRuns(table, runtime, net);
    this.starter = new ZoneStarter(table, runtime, net, rootfs, volumes, nativeDir, runs);
    this.removal = new ZoneRemoval(table, runtime, volumes, runs);
    runs.use(starter, removal);
  }

  /**
   * Loads the persisted zones and re-adopts running ones; removes half-created ones; after a reboot
   * of the node, starts those whose restart policy says so.
   */
  public void recover(boolean rebooted) throws IOException {
    runs.recover(rebooted);
  }

  /** Builds a zone from its spec, fetching missing layers from the image service. */
  public ZoneRecord create(ContainerSpec spec, String blobSource) {
    if (table.has(spec.id())) {
      throw DockerException.conflict("zone %s exists", spec.id());
    }
    ZonePaths p = table.paths(spec.id());
    spec = spec.withNetwork(net.resolve(spec.owner(), spec.network()));
    ZoneSpecs.check(spec, p, nativeDir, volumes);
    try {
      for (LayerRef l : spec.layers()) {
        layers.ensure(l, blobSource);
      }
      for (var m : spec.mounts()) {
        if (m.type().equals("volume")) {
          volumes.ensure(spec.owner(), m.source(), Map.of(), m.anonymous());
        }
      }
      Files.createDirectories(p.dir());
      for (var m : spec.mounts()) {
        if (m.type().equals("url")) {
          UrlVolumes.fetch(p, m, urlPolicy);
        }
      }
      Files.createDirectories(p.upper());
      Files.createDirectories(p.work());
      Files.createDirectories(p.rootfs());
      ZoneFiles.write(spec, p);
      Files.write(p.log(), new byte[0]);
      ZoneRecord rec = new ZoneRecord(cnUuid, spec, ZoneState.created());
      table.store().save(rec);
      table.put(new Zone(rec));
      table.publish("create", rec);
      return rec;
    } catch (IOException | RuntimeException e) {
      removal.cleanupDir(spec.id());
      throw e instanceof DockerException d
          ? d
          : DockerException.internal("creating zone: %s", e.getMessage());
    }
  }

  /**
   * Runs the zone's first process (a user's start: the restart count and the manual-stop mark are
   * reset).
   */
  public ZoneRecord start(String id) {
    return starter.start(id, false, false);
  }

  /** Sends a signal to the zone's first process; a manual kill keeps restart policies off. */
  public void kill(String id, int signal, boolean manual) {
    Zone z = table.zone(id);
    synchronized (z) {
      table.stillThere(id, z);
      ZoneState s = z.record.state();
      if (manual && s.restarting()) {
        z.cancelRestart();
        table.save(z, z.record.withState(s.withStatus(ZoneState.EXITED).stoppedByUser()));
        table.publish("update", z.record);
        return;
      }
      if (!s.running()) {
        throw DockerException.conflict("Container %s is not running", id);
      }
      if (manual && !s.manuallyStopped()) {
        table.save(z, z.record.withState(s.stoppedByUser()));
      }
      runs.signal(z, signal);
    }
  }

  /**
   * Removes a zone; with force a running one is killed first; with volumes its anonymous ones no
   * other zone uses go too.
   */
  public void delete(String id, boolean force, boolean withVolumes) {
    removal.delete(id, force, withVolumes);
  }

  /** Called when conmon has written the zone's exit file. */
  public void onExit(String id) {
    runs.onExit(id);
  }

  /** Work on the zone's merged filesystem, whether the zone runs (its rootfs is mounted) or not. */
  public interface RootfsWork<T> {
    T apply(Path rootfs) throws IOException;
  }

  /**
   * Work on a path of a zone as the zone sees it: a root and the path under it, and the path's own
   * name.
   */
  public interface PathWork<T> {
    T apply(Path root, String path, String name) throws IOException;
  }

  /**
   * Runs {@code work} where a path of the zone really is: in a volume (or bound directory) when the
   * path is at or under its mount point, else in the merged rootfs (as docker cp sees it).
   */
  public <T> T withPath(String id, String path, PathWork<T> work) throws IOException {
    ZoneRootfs.Located at = rootfs.locate(table.zone(id).record.spec(), path);
    if (at.root() != null) {
      return work.apply(at.root(), at.rest(), at.name());
    }
    return withRootfs(id, root -> work.apply(root, path, at.name()));
  }

  /** Runs {@code work} on the merged rootfs, mounting it for a stopped zone meanwhile. */
  public <T> T withRootfs(String id, RootfsWork<T> work) throws IOException {
    Zone z = table.zone(id);
    synchronized (z) {
      table.stillThere(id, z);
      ZonePaths p = table.paths(id);
      if (z.record.state().running()) {
        return work.apply(p.rootfs());
      }
      rootfs.mount(z.record.spec(), p);
      try {
        return work.apply(p.rootfs());
      } finally {
        ZoneRootfs.unmount(p);
      }
    }
  }

  /**
   * Changes the state of a zone's run (only the run of that generation, only while it runs) and
   * publishes the event {@code action} gives for the old and new state.
   */
  public void updateRun(
      String id, long generation, UnaryOperator<ZoneState> change, BinaryOperator<String> action) {
    Zone z = table.find(id);
    if (z == null) {
      return;
    }
    synchronized (z) {
      ZoneState st = z.record.state();
      if (!st.running() || (generation >= 0 && st.generation() != generation)) {
        return; // the run it was for has ended
      }
      ZoneState next = change.apply(st);
      table.save(z, z.record.withState(next));
      String before = st.health() == null ? "" : st.health().status();
      String after = next.health() == null ? "" : next.health().status();
      table.publish(action.apply(before, after), z.record);
    }
  }

  /** Every zone of this compute node. */
  public List<ZoneRecord> list() {
    return table.all().stream().map(z -> z.record).collect(Collectors.toList());
  }

  /** The zone's record; 404 when this agent has no such zone. */
  public ZoneRecord get(String id) {
    return table.zone(id).record;
  }

  /**
   * The future end of the zone's current run: when it is not running, the end of the last run
   * (done), or with {@code orNext} the end of the next one.
   */
  public CompletableFuture<ZoneState> exitOf(String id, boolean orNext) {
    Zone z = table.zone(id);
    synchronized (z) {
      if (orNext && !z.record.state().running() && z.exit.isDone()) {
        // an attach before a start (docker start -a) follows the next run, not the one that ended
        z.exit = new CompletableFuture<>();
      }
      return z.exit;
    }
  }

  /** The zone's paths, for the stream server. */
  public ZonePaths paths(String id) {
    table.zone(id);
    return table.paths(id);
  }

  /** The zones of an account that mount a volume. */
  public List<String> usersOf(String owner, String volume) {
    return table.usersOf(owner, volume);
  }

  /** This node's networks and the zones' attachments. */
  public ZoneNetwork network() {
    return net;
  }

  /**
   * Changes a zone's record under its lock with {@code change} (given the record and the zone's
   * directory), saves it and publishes {@code action}.
   */
  public ZoneRecord change(String id, String action, RecordChange change) throws IOException {
    Zone z = table.zone(id);
    synchronized (z) {
      table.stillThere(id, z);
      ZoneRecord rec = change.apply(z.record, table.paths(id).dir());
      table.save(z, rec);
      table.publish(action, rec);
      return rec;
    }
  }

  /**
   * Runs {@code work} under the zone's lock with its record: a read of its state and what depends
   * on it, in one step.
   */
  public <T> T locked(String id, Function<ZoneRecord, T> work) {
    Zone z = table.zone(id);
    synchronized (z) {
      table.stillThere(id, z);
      return work.apply(z.record);
    }
  }

  /**
   * Whether the zone's run has ended, recorded or not yet: a runtime call that failed on a zone
   * recorded as running is the zone's exit racing it when this says so.
   */
  public boolean ended(String id) {
    Zone z = table.zone(id);
    synchronized (z) {
      return !z.record.state().running()
          || z.process == null
          || !z.process.alive()
          || Files.exists(runtime.exitFile(id))
          || stoppedForTheRuntime(id);
    }
  }

  /** The runtime's own view (only asked when a runtime call failed: it costs a runc run). */
  private boolean stoppedForTheRuntime(String id) {
    try {
      return !runtime.has(id) || runtime.status(id).equals("stopped");
    } catch (DockerException e) {
      return true; // the runtime no longer knows it
    }
  }

  /** A change of a zone's record that may touch its files. */
  public interface RecordChange {
    ZoneRecord apply(ZoneRecord r, Path zoneDir) throws IOException;
  }

  /** This node's volumes. */
  public VolumeStore volumes() {
    return volumes;
  }

  /**
   * Rotates the logs of running zones that passed their max-size (the exit watcher's sweep calls
   * it).
   */
  public void rotateLogs() {
    for (Zone z : table.all()) {
      if (z.record.state().running() && z.record.spec().host().log().maxSize() > 0) {
        ZonePaths p = table.paths(z.id());
        try {
          LogRotation.rotateIfNeeded(
              p.log(), z.record.spec().host().log(), () -> runtime.reopenLog(p.dir()));
        } catch (IOException | RuntimeException e) {
          // tried again at the next sweep
        }
      }
    }
  }

  /** The ids of zones that run now, for the exit watcher's sweep. */
  public List<String> running() {
    return runs.running();
  }
}
