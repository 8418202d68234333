package org.sdcdocker.agent.zone;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.sdcdocker.agent.image.LayerCache;
import org.sdcdocker.agent.image.Trees;
import org.sdcdocker.agent.runtime.OciRuntime;
import org.sdcdocker.agent.runtime.SpecFactory;
import org.sdcdocker.agent.sys.FileNative;
import org.sdcdocker.agent.sys.MountNative;
import org.sdcdocker.protocol.DockerException;
import org.sdcdocker.protocol.Json;
import org.sdcdocker.protocol.agent.AgentEvents.ZoneEvent;
import org.sdcdocker.protocol.agent.ContainerSpec;
import org.sdcdocker.protocol.agent.LayerRef;
import org.sdcdocker.protocol.agent.ZoneRecord;
import org.sdcdocker.protocol.agent.ZoneState;

/**
 * The Linux zone backend: a zone is a directory with an overlayfs rootfs over cached layers, run
 * by the OCI runtime under conmon. Every method blocks; the verticle calls them off the event loop.
 * Operations on one zone are serialized on that zone.
 */
public final class LinuxZoneBackend implements ZoneBackend {
  private static final String DOCKERINIT = "/native/usr/vm/sbin/dockerinit";

  private final String cnUuid;
  private final ZoneStore store;
  private final LayerCache layers;
  private final OciRuntime runtime;
  private final Path nativeDir;
  private final Consumer<ZoneEvent> events;
  private final ConcurrentHashMap<String, Zone> zones = new ConcurrentHashMap<>();

  /** One zone in memory: its record and the future of its current run's end. */
  static final class Zone {
    volatile ZoneRecord record;
    volatile CompletableFuture<ZoneState> exit = new CompletableFuture<>();

    Zone(ZoneRecord record) {
      this.record = record;
    }
  }

  public LinuxZoneBackend(String cnUuid, Path root, LayerCache layers, OciRuntime runtime,
      Path nativeDir, Consumer<ZoneEvent> events) throws IOException {
    this.cnUuid = cnUuid;
    this.store = new ZoneStore(root);
    this.layers = layers;
    this.runtime = runtime;
    this.nativeDir = nativeDir;
    this.events = events;
  }

  /** Loads the persisted zones and re-adopts running ones; removes half-created ones. */
  public void recover() throws IOException {
    for (Path orphan : store.orphans()) {
      cleanupDir(orphan.getFileName().toString());
    }
    for (ZoneRecord r : store.loadAll()) {
      Zone z = new Zone(r);
      zones.put(r.spec().id(), z);
      if (r.state().running()) {
        if (Files.exists(runtime.exitFile(r.spec().id()))) {
          onExit(r.spec().id());
        } else if (r.state().pid() <= 0 || !Files.exists(Path.of("/proc", Integer.toString(r.state().pid())))) {
          finishRun(z, r.state().failed(255, "the zone's process vanished while the agent was away", now()));
        }
      }
    }
  }

  @Override
  public ZoneRecord create(ContainerSpec spec, String blobSource) {
    if (zones.containsKey(spec.id())) {
      throw DockerException.conflict("zone %s exists", spec.id());
    }
    ZonePaths p = store.paths(spec.id());
    try {
      for (LayerRef l : spec.layers()) {
        layers.ensure(l, blobSource);
      }
      Files.createDirectories(p.dir());
      Files.createDirectories(p.upper());
      Files.createDirectories(p.work());
      Files.createDirectories(p.rootfs());
      ZoneFiles.write(spec, p);
      Files.write(p.log(), new byte[0]);
      ZoneRecord rec = new ZoneRecord(cnUuid, spec, ZoneState.created());
      store.save(rec);
      zones.put(spec.id(), new Zone(rec));
      events.accept(new ZoneEvent("create", rec, nowNanos()));
      return rec;
    } catch (IOException | RuntimeException e) {
      cleanupDir(spec.id());
      throw e instanceof DockerException d ? d : DockerException.internal("creating zone: %s", e.getMessage());
    }
  }

  @Override
  public ZoneRecord start(String id) {
    Zone z = zone(id);
    synchronized (z) {
      if (z.record.state().running()) {
        return z.record; // Docker answers 304 here; the front end checks first
      }
      ZonePaths p = store.paths(id);
      try {
        Files.deleteIfExists(runtime.exitFile(id));
        runtime.delete(id);
        mountRootfs(z.record.spec(), p);
        Files.write(p.dir().resolve("config.json"), Json.bytes(SpecFactory.build(specOpts(z.record.spec(), p))));
        if (z.exit.isDone()) {
          z.exit = new CompletableFuture<>(); // an attach made before this start waits on the old one
        }
        int pid = runtime.create(id, new OciRuntime.CreateFiles(p.dir(), p.log(), p.pidFile(),
            p.conmonPidFile(), p.runtimeLog()), z.record.spec().tty(), z.record.spec().openStdin());
        runtime.start(id);
        ZoneRecord rec = z.record.withState(z.record.state().started(pid, now()));
        z.record = rec;
        store.save(rec);
        events.accept(new ZoneEvent("start", rec, nowNanos()));
        if (Files.exists(runtime.exitFile(id))) {
          onExit(id); // it may have ended before we recorded it as running
        }
        return z.record;
      } catch (IOException | RuntimeException e) {
        String msg = e.getMessage();
        try {
          runtime.delete(id);
        } catch (RuntimeException ignored) {
          // nothing more to undo
        }
        unmount(p);
        ZoneRecord failed = z.record.withState(z.record.state().failed(128, msg, now()));
        z.record = failed;
        store.save(failed);
        z.exit.complete(failed.state());
        throw e instanceof DockerException d ? d : DockerException.internal("starting zone: %s", msg);
      }
    }
  }

  private List<SpecFactory.SpecOpt> specOpts(ContainerSpec spec, ZonePaths p) {
    return List.of(
        SpecFactory.withArgs(List.of(DOCKERINIT)),
        SpecFactory.withTerminal(spec.tty()),
        SpecFactory.withHostname(spec.hostname()),
        SpecFactory.withBind(nativeDir.toString(), "/native", true),
        SpecFactory.withBind(p.zonecontrol().toString(), "/native/.zonecontrol", true),
        SpecFactory.withBind(p.dir().resolve("hostname").toString(), "/etc/hostname", false),
        SpecFactory.withBind(p.dir().resolve("hosts").toString(), "/etc/hosts", false),
        SpecFactory.withBind(p.dir().resolve("resolv.conf").toString(), "/etc/resolv.conf", false),
        SpecFactory.withCgroupsPath("/sdc-docker/" + spec.id()));
  }

  private void mountRootfs(ContainerSpec spec, ZonePaths p) throws IOException {
    List<String> lower = new ArrayList<>();
    for (LayerRef l : spec.layers()) {
      lower.add(0, layers.ensure(l, "").toString()); // cached at create; topmost first
    }
    if (lower.isEmpty()) {
      Path empty = p.dir().resolve("empty");
      Files.createDirectories(empty);
      lower.add(empty.toString());
    }
    String data = "lowerdir=" + String.join(":", lower) + ",upperdir=" + p.upper() + ",workdir=" + p.work();
    unmount(p);
    MountNative.mount("overlay", p.rootfs().toString(), "overlay", 0, data);
  }

  private static void unmount(ZonePaths p) {
    MountNative.umount(p.rootfs().toString(), MountNative.MNT_DETACH);
  }

  @Override
  public void kill(String id, int signal) {
    Zone z = zone(id);
    ZoneState s = z.record.state();
    if (!s.running()) {
      throw DockerException.conflict("Container %s is not running", id);
    }
    FileNative.kill(s.pid(), signal);
  }

  /** Called when conmon has written the zone's exit file. */
  public void onExit(String id) {
    Zone z = zones.get(id);
    if (z == null) {
      return;
    }
    synchronized (z) {
      if (!z.record.state().running()) {
        return;
      }
      Integer code = readExit(id);
      if (code == null) {
        return;
      }
      finishRun(z, z.record.state().exited(code, now()));
    }
  }

  private void finishRun(Zone z, ZoneState state) {
    String id = z.record.spec().id();
    try {
      runtime.delete(id);
    } catch (RuntimeException e) {
      // the state is removed with the zone at the latest
    }
    unmount(store.paths(id));
    ZoneRecord rec = z.record.withState(state);
    z.record = rec;
    store.save(rec);
    z.exit.complete(state);
    events.accept(new ZoneEvent("die", rec, nowNanos()));
  }

  private Integer readExit(String id) {
    try {
      String s = Files.readString(runtime.exitFile(id)).trim();
      return s.isEmpty() ? null : Integer.parseInt(s);
    } catch (IOException | NumberFormatException e) {
      return null;
    }
  }

  @Override
  public void delete(String id, boolean force) {
    Zone z = zone(id);
    if (z.record.state().running()) {
      if (!force) {
        throw DockerException.conflict("cannot remove container %s: container is running: stop the container before removing or force remove", id);
      }
      FileNative.kill(z.record.state().pid(), 9);
      try {
        z.exit.get(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        onExit(id);
      }
    }
    synchronized (z) {
      zones.remove(id);
      cleanupDir(id);
      events.accept(new ZoneEvent("destroy", z.record, nowNanos()));
    }
  }

  private void cleanupDir(String id) {
    ZonePaths p = store.paths(id);
    try {
      runtime.delete(id);
    } catch (RuntimeException ignored) {
      // a runtime that lost the container has nothing to delete
    }
    unmount(p);
    try {
      Files.deleteIfExists(runtime.exitFile(id));
      Trees.delete(p.dir());
    } catch (IOException e) {
      throw DockerException.internal("removing zone %s: %s", id, e.getMessage());
    }
  }

  @Override
  public List<ZoneRecord> list() {
    return zones.values().stream().map(z -> z.record).collect(Collectors.toList());
  }

  /** The zone's record; 404 when this agent has no such zone. */
  public ZoneRecord get(String id) {
    return zone(id).record;
  }

  /** The future end of the zone's current (or next, when not running) run. */
  public CompletableFuture<ZoneState> exitOf(String id) {
    return zone(id).exit;
  }

  /** The zone's paths, for the stream endpoint. */
  public ZonePaths paths(String id) {
    zone(id);
    return store.paths(id);
  }

  /** The ids of zones that run now, for the exit watcher's sweep. */
  public List<String> running() {
    return zones.values().stream().filter(z -> z.record.state().running())
        .map(z -> z.record.spec().id()).collect(Collectors.toList());
  }

  private Zone zone(String id) {
    Zone z = zones.get(id);
    if (z == null) {
      throw DockerException.notFound("No such container: %s", id);
    }
    return z;
  }

  private static String now() {
    return Instant.now().toString();
  }

  private static long nowNanos() {
    Instant i = Instant.now();
    return i.getEpochSecond() * 1_000_000_000L + i.getNano();
  }
}
