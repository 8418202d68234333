package org.sdcdocker.agent.zone;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.sdcdocker.agent.image.LayerCache;
import org.sdcdocker.agent.image.Trees;
import org.sdcdocker.agent.net.Cni;
import org.sdcdocker.agent.net.NetworkStore;
import org.sdcdocker.agent.net.ZoneNetwork;
import org.sdcdocker.agent.runtime.OciRuntime;
import org.sdcdocker.agent.runtime.SpecFactory;
import org.sdcdocker.protocol.DockerException;
import org.sdcdocker.protocol.Json;
import org.sdcdocker.protocol.agent.AgentEvents.ZoneEvent;
import org.sdcdocker.protocol.agent.ContainerSpec;
import org.sdcdocker.protocol.agent.LayerRef;
import org.sdcdocker.protocol.agent.NetStatus;
import org.sdcdocker.protocol.agent.RestartPolicy;
import org.sdcdocker.protocol.agent.ZoneRecord;
import org.sdcdocker.protocol.agent.ZoneState;

/**
 * The Linux zone backend: a zone is a directory with an overlayfs rootfs over cached layers, run
 * by the OCI runtime under conmon. Every method blocks; the verticle calls them off the event loop.
 * Operations on one zone are serialized on that zone.
 */
public final class LinuxZoneBackend implements ZoneBackend {
  private final String cnUuid;
  private final ZoneStore store;
  private final LayerCache layers;
  private final OciRuntime runtime;
  private final Path nativeDir;
  private final Consumer<ZoneEvent> events;
  private final ConcurrentHashMap<String, Zone> zones = new ConcurrentHashMap<>();
  private final VolumeStore volumes;
  private final ZoneNetwork net;
  private final ZoneRootfs rootfs;
  private final ScheduledExecutorService restarts = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "zone-restarts");
    t.setDaemon(true);
    return t;
  });

  /** One zone in memory: its record and the future of its current run's end. */
  static final class Zone {
    volatile ZoneRecord record;
    volatile CompletableFuture<ZoneState> exit = new CompletableFuture<>();
    /** The restart a policy scheduled, while its delay runs. */
    volatile ScheduledFuture<?> pendingRestart;
    /** The run's first process while the zone runs; the only way it is signalled. */
    ZoneProcess process;

    Zone(ZoneRecord record) {
      this.record = record;
    }
  }

  public LinuxZoneBackend(String cnUuid, Path root, LayerCache layers, OciRuntime runtime,
      Path nativeDir, Consumer<ZoneEvent> events, String networkPool) throws IOException {
    this.cnUuid = cnUuid;
    this.store = new ZoneStore(root);
    this.volumes = new VolumeStore(root.resolve("volumes"));
    this.rootfs = new ZoneRootfs(layers, volumes);
    this.net = new ZoneNetwork(root, cnUuid, new NetworkStore(root.resolve("networks"), networkPool),
        new Cni(Path.of("/usr/lib/cni")), id -> {
          Zone z = zones.get(id);
          return z == null ? null : z.record;
        });
    this.layers = layers;
    this.runtime = runtime;
    this.nativeDir = nativeDir;
    this.events = events;
  }

  /**
   * Loads the persisted zones and re-adopts running ones; removes half-created ones. After a
   * reboot of the compute node (another boot id), zones that were running are gone: they end with
   * the exit code conmon recorded, or 255, and come back as their restart policy says for a boot.
   */
  public void recover(boolean rebooted) throws IOException {
    for (Path orphan : store.orphans()) {
      cleanupDir(orphan.getFileName().toString());
    }
    List<Zone> atBoot = new ArrayList<>();
    for (ZoneRecord r : store.loadAll()) {
      Zone z = new Zone(r);
      String id = r.spec().id();
      zones.put(id, z);
      ZoneState st = r.state();
      if (!st.running() && !st.restarting()) {
        if (runtime.has(id)) { // the agent died between runc create and the record of a start (or an exit)
          endUnrecordedRun(id);
        }
        continue;
      }
      boolean wasRunning = st.running();
      if (!rebooted && wasRunning) {
        net.adopt(r.spec(), r.net());
      }
      if (rebooted) {
        Integer code = readExit(id);
        if (wasRunning) {
          z.record = r.withState(st.exited(code == null ? 255 : code, now()));
        }
        finishRun(z, z.record.state(), false);
        if (r.spec().restartPolicy().startsAtBoot(z.record.state().exitCode(), st.restartCount())) {
          atBoot.add(z);
        }
      } else if (st.restarting()) {
        scheduleRestart(z, RestartPolicy.delayMillis(st.restartCount()));
      } else {
        z.process = ZoneProcess.adopt(st.pid(), id);
        if (Files.exists(runtime.exitFile(id))) {
          onExit(id);
        } else if (z.process == null) {
          finishRun(z, st.failed(255, "the zone's process vanished while the agent was away", now()), true);
        } else {
          reconcilePause(z);
        }
      }
    }
    net.releaseLeasesExcept(running().stream().collect(java.util.stream.Collectors.toSet()));
    net.sweepIdle();
    for (Zone z : atBoot) {
      try {
        start(z.record.spec().id(), false, true);
      } catch (DockerException e) {
        // the failed start is recorded in the zone's state
      }
    }
  }

  @Override
  public ZoneRecord create(ContainerSpec spec, String blobSource) {
    if (zones.containsKey(spec.id())) {
      throw DockerException.conflict("zone %s exists", spec.id());
    }
    ZonePaths p = store.paths(spec.id());
    spec = spec.withNetwork(net.resolve(spec.owner(), spec.network()));
    ZoneSpecs.check(spec, p, nativeDir, volumes);
    try {
      for (LayerRef l : spec.layers()) {
        layers.ensure(l, blobSource);
      }
      for (var m : spec.mounts()) {
        if (m.type().equals("volume")) {
          volumes.ensure(spec.owner(), m.source(), java.util.Map.of(), m.anonymous());
        }
      }
      Files.createDirectories(p.dir());
      for (var m : spec.mounts()) {
        if (m.type().equals("url")) {
          UrlVolumes.fetch(p, m);
        }
      }
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
    return start(id, false, false);
  }

  /**
   * Starts a zone. An automatic start (a restart policy's) counts in RestartCount; a manual one
   * resets it and the manual-stop mark; a boot start keeps the count.
   */
  ZoneRecord start(String id, boolean automatic, boolean atBoot) {
    Zone z = zone(id);
    synchronized (z) {
      stillThere(id, z);
      if (z.record.state().running()) {
        return z.record; // Docker answers 304 here; the front end checks first
      }
      cancelRestart(z);
      ZonePaths p = store.paths(id);
      NetStatus netUp = null;
      try {
        Files.deleteIfExists(runtime.exitFile(id));
        runtime.delete(id);
        mountRootfs(z.record.spec(), p);
        for (var m : z.record.spec().mounts()) {
          if (m.type().equals("url")) {
            UrlVolumes.checkTarget(p.rootfs(), m);
          }
          if (m.type().equals("volume") && m.from() == null) {
            VolumeStore.seed(p.rootfs(), m.target(),
                volumes.ensure(z.record.spec().owner(), m.source(), java.util.Map.of(), m.anonymous()));
          }
        }
        Path initLog = InitVerdict.logOf(z.record.spec(), p);
        if (Files.isRegularFile(initLog, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
          Files.write(initLog, new byte[0]); // the last run's verdict must not be read as this one's
        }
        ZoneNetwork.Up up = net.up(z.record.spec(), p.dir());
        netUp = up.status();
        ZoneFiles.writeMetadata(z.record.spec(), p, up.linkEnv());
        List<SpecFactory.SpecOpt> opts = new ArrayList<>(ZoneSpecs.opts(z.record.spec(), p, nativeDir, volumes));
        opts.add(SpecFactory.withNetns(netUp.sandbox()));
        Files.write(p.dir().resolve("config.json"), Json.bytes(SpecFactory.build(opts)));
        if (z.exit.isDone()) {
          z.exit = new CompletableFuture<>(); // an attach made before this start waits on the old one
        }
        int pid = runtime.create(id, new OciRuntime.CreateFiles(p.dir(), p.log(), p.pidFile(),
            p.conmonPidFile(), p.runtimeLog()), z.record.spec().tty(), z.record.spec().openStdin(),
            z.record.spec().stdinOnce(), z.record.spec().host().log().readable() ? 0 : z.record.spec().host().log().maxSize());
        replaceProcess(z, ZoneProcess.made(pid));
        runtime.start(id);
        String fatal = InitVerdict.await(initLog, runtime.exitFile(id));
        if (fatal != null) {
          throw new Refused(failedExec(z, p, fatal));
        }
        ZoneState before = z.record.state();
        ZoneState started = before.started(pid, now(), automatic);
        if (atBoot) {
          started = new ZoneState("running", pid, 0, "", started.startedAt(), before.finishedAt(),
              before.restartCount(), false, started.generation(), false, null);
        }
        ZoneRecord rec = z.record.withState(started).withNet(netUp);
        z.record = rec;
        store.save(rec);
        events.accept(new ZoneEvent("start", rec, nowNanos()));
        if (Files.exists(runtime.exitFile(id))) {
          restarts.execute(() -> onExit(id)); // it ended already; its end is not the start's to wait for
        }
        return z.record;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw DockerException.internal("interrupted starting zone %s", id);
      } catch (IOException | RuntimeException e) {
        replaceProcess(z, null);
        String msg = e.getMessage();
        if (e instanceof Refused r) { // dockerinit refused the command; failedExec has recorded and cleaned up
          if (automatic) {
            finishRunAfterFailedRestart(z);
          }
          throw r.reason;
        }
        try {
          runtime.delete(id);
        } catch (RuntimeException ignored) {
          // nothing more to undo
        }
        unmount(p);
        net.down(id, p.dir());
        ZoneState st = z.record.state();
        // as Docker: a start that failed before the process ran leaves the status as it was
        ZoneState failedState = st.status().equals("created") || st.status().equals("exited")
            ? new ZoneState(st.status(), 0, 128, msg, st.startedAt(), st.finishedAt(), st.restartCount(), false,
                st.generation(), st.manuallyStopped(), null)
            : st.failed(128, msg, now());
        ZoneRecord failed = z.record.withState(failedState);
        z.record = failed;
        store.save(failed);
        z.exit.complete(failed.state());
        if (automatic) {
          finishRunAfterFailedRestart(z);
        } else {
          events.accept(new ZoneEvent("update", failed, nowNanos()));
        }
        throw e instanceof DockerException d ? d : DockerException.internal("starting zone: %s", msg);
      }
    }
  }

  /** A start whose command could not run: the zone stays created, with the code and the reason, as Docker's. */
  /** A start that dockerinit refused, carried out of the start's try to its one handler. */
  private static final class Refused extends RuntimeException {
    final DockerException reason;

    Refused(DockerException reason) {
      super(reason.getMessage(), null, false, false);
      this.reason = reason;
    }
  }

  private DockerException failedExec(Zone z, ZonePaths p, String fatalLine) throws InterruptedException {
    replaceProcess(z, null);
    int code = InitVerdict.code(fatalLine);
    String reason = InitVerdict.reason(fatalLine);
    String id = z.record.spec().id();
    for (int i = 0; i < 500 && !Files.exists(runtime.exitFile(id)); i++) {
      Thread.sleep(2);
    }
    runtime.delete(id);
    unmount(p);
    net.down(id, p.dir());
    ZoneState st = z.record.state();
    ZoneState created = new ZoneState("created", 0, code, reason, st.startedAt(), st.finishedAt(), st.restartCount(),
        false, st.generation(), st.manuallyStopped(), null);
    save(z, z.record.withState(created));
    z.exit.complete(created);
    events.accept(new ZoneEvent("update", z.record, nowNanos()));
    return new DockerException(org.sdcdocker.protocol.ErrorKind.INVALID_PARAMETER,
        "failed to create task for container: OCI runtime create failed: runc create failed: unable to start "
            + "container process: error during container init: " + reason + ": unknown");
  }

  /** Undoes what a start the agent did not live to record left: the runtime's container, mount, network. */
  private void endUnrecordedRun(String id) {
    ZonePaths p = store.paths(id);
    try {
      runtime.delete(id);
    } catch (RuntimeException e) {
      // removed with the zone at the latest
    }
    unmount(p);
    net.down(id, p.dir());
  }

  /** A pause or unpause the agent did not live to record: the runtime's word is the truth. */
  private void reconcilePause(Zone z) {
    String id = z.record.spec().id();
    try {
      String status = runtime.status(id);
      boolean paused = status.equals("paused");
      if (paused != z.record.state().paused() && (paused || status.equals("running"))) {
        save(z, z.record.withState(z.record.state().withStatus(paused ? "paused" : "running")));
      }
    } catch (DockerException e) {
      // the exit watcher will tell what became of it
    }
  }

  private void mountRootfs(ContainerSpec spec, ZonePaths p) throws IOException {
    rootfs.mount(spec, p);
  }

  private static void unmount(ZonePaths p) {
    ZoneRootfs.unmount(p);
  }

  @Override
  public void kill(String id, int signal, boolean manual) {
    Zone z = zone(id);
    synchronized (z) {
      stillThere(id, z);
      ZoneState s = z.record.state();
      if (manual && s.restarting()) {
        cancelRestart(z);
        save(z, z.record.withState(s.withStatus("exited").stoppedByUser()));
        events.accept(new ZoneEvent("update", z.record, nowNanos()));
        return;
      }
      if (!s.running()) {
        throw DockerException.conflict("Container %s is not running", id);
      }
      if (manual && !s.manuallyStopped()) {
        save(z, z.record.withState(s.stoppedByUser()));
      }
      signal(z, signal);
    }
  }

  /**
   * Signals the zone's running process; the caller holds the zone's lock and has seen it running.
   * A process that exited meanwhile (its exit not yet recorded) is not signalled, and nothing else is.
   */
  private void signal(Zone z, int signal) {
    if (z.process != null && z.process.signal(signal) && z.record.state().paused() && signal == 9) {
      try {
        runtime.resume(z.record.spec().id()); // a frozen process cannot die
      } catch (DockerException notPaused) {
        // the runtime had it thawed already: the signal lands anyway
      }
    }
  }

  /** The zone's process is now {@code next} (null: none); the one before is let go. */
  private static void replaceProcess(Zone z, ZoneProcess next) {
    if (z.process != null) {
      z.process.close();
    }
    z.process = next;
  }

  /** Work on the zone's merged filesystem, whether the zone runs (its rootfs is mounted) or not. */
  public interface RootfsWork<T> {
    T apply(Path rootfs) throws IOException;
  }

  /** Work on a path of a zone as the zone sees it: a root and the path under it, and the path's own name. */
  public interface PathWork<T> {
    T apply(Path root, String path, String name) throws IOException;
  }

  /**
   * Runs {@code work} where a path of the zone really is: in a volume (or bound directory) when
   * the path is at or under its mount point, else in the merged rootfs (as docker cp sees it).
   */
  public <T> T withPath(String id, String path, PathWork<T> work) throws IOException {
    ZoneRootfs.Located at = rootfs.locate(zone(id).record.spec(), path);
    if (at.root() != null) {
      return work.apply(at.root(), at.rest(), at.name());
    }
    return withRootfs(id, root -> work.apply(root, path, at.name()));
  }

  /** Runs {@code work} on the merged rootfs, mounting it for a stopped zone meanwhile. */
  public <T> T withRootfs(String id, RootfsWork<T> work) throws IOException {
    Zone z = zone(id);
    synchronized (z) {
      stillThere(id, z);
      ZonePaths p = store.paths(id);
      if (z.record.state().running()) {
        return work.apply(p.rootfs());
      }
      mountRootfs(z.record.spec(), p);
      try {
        return work.apply(p.rootfs());
      } finally {
        unmount(p);
      }
    }
  }

  /**
   * Changes the state of a zone's run (only the run of that generation, only while it runs) and
   * publishes the event {@code action} gives for the old and new state.
   */
  public void updateRun(String id, long generation, java.util.function.UnaryOperator<ZoneState> change,
      java.util.function.BinaryOperator<String> action) {
    Zone z = zones.get(id);
    if (z == null) {
      return;
    }
    synchronized (z) {
      ZoneState st = z.record.state();
      if (!st.running() || (generation >= 0 && st.generation() != generation)) {
        return; // the run it was for has ended
      }
      ZoneState next = change.apply(st);
      save(z, z.record.withState(next));
      String before = st.health() == null ? "" : st.health().status();
      String after = next.health() == null ? "" : next.health().status();
      events.accept(new ZoneEvent(action.apply(before, after), z.record, nowNanos()));
    }
  }

  private void save(Zone z, ZoneRecord rec) {
    z.record = rec;
    store.save(rec);
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
      finishRun(z, z.record.state().exited(code, now()), true);
    }
  }

  /** Ends a run: runtime state, mount, record, die event; then the restart policy. */
  private void finishRun(Zone z, ZoneState state, boolean applyPolicy) {
    String id = z.record.spec().id();
    replaceProcess(z, null);
    if (!state.oomKilled() && oomKills(id) > 0) { // read before runc delete takes the cgroup away
      state = new ZoneState(state.status(), state.pid(), state.exitCode(), state.error(), state.startedAt(),
          state.finishedAt(), state.restartCount(), true, state.generation(), state.manuallyStopped(), state.health());
    }
    try {
      runtime.delete(id);
    } catch (RuntimeException e) {
      // the state is removed with the zone at the latest
    }
    unmount(store.paths(id));
    net.down(id, store.paths(id).dir());
    RestartPolicy policy = z.record.spec().restartPolicy();
    boolean again = applyPolicy && policy.restartsAfter(state.exitCode(), state.restartCount(), state.manuallyStopped());
    ZoneState ended = again ? state.withStatus("restarting") : state;
    ZoneRecord rec = z.record.withState(ended).withNet(NetStatus.NONE);
    z.record = rec;
    store.save(rec);
    z.exit.complete(ended);
    events.accept(new ZoneEvent("die", rec, nowNanos()));
    if (again) {
      long ranMillis = millisBetween(state.startedAt(), state.finishedAt());
      scheduleRestart(z, ranMillis > 10_000 ? 100 : RestartPolicy.delayMillis(state.restartCount()));
    }
  }

  /** How often the kernel's OOM killer struck in the zone's memory cgroup (0 when unknown). */
  private static long oomKills(String id) {
    try {
      for (String l : Files.readAllLines(Path.of("/sys/fs/cgroup/memory/sdc-docker", id, "memory.oom_control"))) {
        if (l.startsWith("oom_kill ")) {
          return Long.parseLong(l.substring(9).trim());
        }
      }
    } catch (IOException | RuntimeException e) {
      // no cgroup (any more): not known
    }
    return 0;
  }

  /** A restart that failed to start counts as a run that failed: the policy decides again. */
  private void finishRunAfterFailedRestart(Zone z) {
    ZoneState st = z.record.state();
    ZoneState counted = new ZoneState(st.status(), 0, st.exitCode(), st.error(), st.startedAt(), st.finishedAt(),
        st.restartCount() + 1, false, st.generation(), st.manuallyStopped(), st.health());
    boolean again = z.record.spec().restartPolicy()
        .restartsAfter(counted.exitCode(), counted.restartCount(), counted.manuallyStopped());
    ZoneRecord rec = z.record.withState(again ? counted.withStatus("restarting") : counted);
    save(z, rec);
    events.accept(new ZoneEvent("die", rec, nowNanos()));
    if (again) {
      scheduleRestart(z, RestartPolicy.delayMillis(counted.restartCount()));
    }
  }

  private void scheduleRestart(Zone z, long delayMillis) {
    String id = z.record.spec().id();
    z.pendingRestart = restarts.schedule(() -> {
      synchronized (z) {
        if (zones.get(id) != z || !z.record.state().restarting()) {
          return; // removed, started or stopped meanwhile
        }
        z.pendingRestart = null;
        try {
          start(id, true, false);
        } catch (RuntimeException e) {
          // the failed start ended the run with its error; the policy decides again
        }
      }
    }, delayMillis, TimeUnit.MILLISECONDS);
  }

  private static void cancelRestart(Zone z) {
    ScheduledFuture<?> f = z.pendingRestart;
    if (f != null) {
      f.cancel(false);
      z.pendingRestart = null;
    }
  }

  private static long millisBetween(String from, String to) {
    try {
      return java.time.Duration.between(Instant.parse(from), Instant.parse(to)).toMillis();
    } catch (RuntimeException e) {
      return 0;
    }
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
    delete(id, force, false);
  }

  /** Removes a zone; with {@code withVolumes} its anonymous volumes no other zone uses go too. */
  public void delete(String id, boolean force, boolean withVolumes) {
    Zone z = zone(id);
    boolean killed;
    synchronized (z) { // the state read and the kill that depends on it, in one step
      stillThere(id, z);
      cancelRestart(z);
      killed = z.record.state().running();
      if (killed) {
        if (!force) {
          throw DockerException.conflict("cannot remove container %s: container is running: stop the container before removing or force remove", id);
        }
        save(z, z.record.withState(z.record.state().stoppedByUser()));
        signal(z, 9);
      }
    }
    if (killed) {
      try {
        z.exit.get(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        onExit(id);
      }
    }
    synchronized (z) {
      stillThere(id, z); // a removal that ran meanwhile has done it all
      cancelRestart(z);
      replaceProcess(z, null); // its pidfd goes with it, whatever became of the run
      zones.remove(id);
      cleanupDir(id);
      if (withVolumes) {
        for (var m : z.record.spec().mounts()) {
          if (m.type().equals("volume") && m.anonymous() && usersOf(z.record.spec().owner(), m.source()).isEmpty()) {
            try {
              volumes.remove(z.record.spec().owner(), m.source());
            } catch (IOException | DockerException e) {
              // left for volume prune
            }
          }
        }
      }
      events.accept(new ZoneEvent("destroy", z.record, nowNanos()));
    }
  }

  private void cleanupDir(String id) {
    ZonePaths p = store.paths(id);
    try {
      // the record goes first: an agent killed from here on leaves a directory without a record,
      // which the next start finishes removing, never a record whose directory is half gone
      Files.deleteIfExists(p.record());
    } catch (IOException e) {
      throw DockerException.internal("removing zone %s: %s", id, e.getMessage());
    }
    try {
      runtime.delete(id);
    } catch (RuntimeException ignored) {
      // a runtime that lost the container has nothing to delete
    }
    unmount(p);
    net.down(id, p.dir());
    try {
      Files.deleteIfExists(runtime.exitFile(id));
      Files.deleteIfExists(runtime.socketLink(id));
      if (Files.isDirectory(p.dir())) {
        try (var d = Files.list(p.dir())) { // execs under their own conmon, whose ends nobody recorded
          for (Path e : d.filter(x -> x.getFileName().toString().startsWith("exec-")).toList()) {
            Files.deleteIfExists(runtime.socketLink(e.getFileName().toString().substring(5)));
          }
        }
      }
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

  /**
   * The future end of the zone's current run: when it is not running, the end of the last run
   * (done), or with {@code orNext} the end of the next one.
   */
  public CompletableFuture<ZoneState> exitOf(String id, boolean orNext) {
    Zone z = zone(id);
    synchronized (z) {
      if (orNext && !z.record.state().running() && z.exit.isDone()) {
        // an attach before a start (docker start -a) follows the next run, not the one that ended
        z.exit = new CompletableFuture<>();
      }
      return z.exit;
    }
  }

  /** The zone's paths, for the stream endpoint. */
  public ZonePaths paths(String id) {
    zone(id);
    return store.paths(id);
  }

  /** The zones of an account that mount a volume. */
  public List<String> usersOf(String owner, String volume) {
    return zones.values().stream().map(z -> z.record.spec())
        .filter(s -> s.owner().equals(owner) && s.mounts().stream()
            .anyMatch(m -> m.type().equals("volume") && m.source().equals(volume)))
        .map(ContainerSpec::id).collect(Collectors.toList());
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
    Zone z = zone(id);
    synchronized (z) {
      stillThere(id, z);
      ZoneRecord rec = change.apply(z.record, store.paths(id).dir());
      save(z, rec);
      events.accept(new ZoneEvent(action, rec, nowNanos()));
      return rec;
    }
  }

  /** A zone taken before its lock was: removed meanwhile (its lock was the removal's), it is not found. */
  private void stillThere(String id, Zone z) {
    if (zones.get(id) != z) {
      throw DockerException.notFound("No such container: %s", id);
    }
  }

  /** Runs {@code work} under the zone's lock with its record: a read of its state and what depends on it, in one step. */
  public <T> T locked(String id, java.util.function.Function<ZoneRecord, T> work) {
    Zone z = zone(id);
    synchronized (z) {
      stillThere(id, z);
      return work.apply(z.record);
    }
  }

  /**
   * Whether the zone's run has ended, recorded or not yet: a runtime call that failed on a zone
   * recorded as running is the zone's exit racing it when this says so.
   */
  public boolean ended(String id) {
    Zone z = zone(id);
    synchronized (z) {
      return !z.record.state().running() || z.process == null || !z.process.alive()
          || Files.exists(runtime.exitFile(id)) || stoppedForTheRuntime(id);
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

  /** Rotates the logs of running zones that passed their max-size (the exit watcher's sweep calls it). */
  public void rotateLogs() {
    for (Zone z : zones.values()) {
      if (z.record.state().running() && z.record.spec().host().log().maxSize() > 0) {
        ZonePaths p = store.paths(z.record.spec().id());
        try {
          LogRotation.rotateIfNeeded(p.log(), z.record.spec().host().log(), () -> runtime.reopenLog(p.dir()));
        } catch (IOException | RuntimeException e) {
          // tried again at the next sweep
        }
      }
    }
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
