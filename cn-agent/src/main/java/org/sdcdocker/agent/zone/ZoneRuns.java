package org.sdcdocker.agent.zone;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.sdcdocker.agent.net.ZoneNetwork;
import org.sdcdocker.agent.runtime.ContainerRuntime;
import org.sdcdocker.bus.Daemons;
import org.sdcdocker.protocol.DockerException;
import org.sdcdocker.protocol.agent.NetStatus;
import org.sdcdocker.protocol.agent.RestartPolicy;
import org.sdcdocker.protocol.agent.ZoneRecord;
import org.sdcdocker.protocol.agent.ZoneState;

/**
 * The end of zones' runs: exits (conmon's exit files), what restart policies do after them, and
 * what the agent finds at its start (runs that ended while it was away, a reboot of the node).
 */
final class ZoneRuns {
  private final ZoneTable table;
  private final ContainerRuntime runtime;
  private final ZoneNetwork net;
  private final ScheduledExecutorService restarts =
      Executors.newSingleThreadScheduledExecutor(Daemons.named("zone-restarts"));
  private ZoneStarter starter;
  private ZoneRemoval removal;

  ZoneRuns(ZoneTable table, ContainerRuntime runtime, ZoneNetwork net) {
    this.table = table;
    this.runtime = runtime;
    this.net = net;
  }

  /** The tasks a policy's restart and the recovery use (they use this class too). */
  void use(ZoneStarter starter, ZoneRemoval removal) {
    this.starter = starter;
    this.removal = removal;
  }

  /**
   * Loads the persisted zones and re-adopts running ones; removes half-created ones. After a reboot
   * of the compute node (another boot id), zones that were running are gone: they end with the exit
   * code conmon recorded, or 255, and come back as their restart policy says for a boot.
   */
  void recover(boolean rebooted) throws IOException {
    for (Path orphan : table.store().orphans()) {
      removal.cleanupDir(orphan.getFileName().toString());
    }
    List<Zone> atBoot = new ArrayList<>();
    for (ZoneRecord r : table.store().loadAll()) {
      Zone z = new Zone(r);
      String id = r.spec().id();
      table.put(z);
      ZoneState st = r.state();
      if (!st.running() && !st.restarting()) {
        if (runtime.has(
            id)) { // the agent died between runc create and the record of a start (or an exit)
          tearDown(id);
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
          z.record = r.withState(st.exited(code == null ? 255 : code, ZoneTable.now()));
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
          finishRun(
              z,
              st.failed(
                  255, "the zone's process vanished while the agent was away", ZoneTable.now()),
              true);
        } else {
          reconcilePause(z);
        }
      }
    }
    net.releaseLeasesExcept(running().stream().collect(Collectors.toSet()));
    net.sweepIdle();
    for (Zone z : atBoot) {
      try {
        starter.start(z.id(), false, true);
      } catch (DockerException e) {
        // the failed start is recorded in the zone's state
      }
    }
  }

  /** The ids of zones that run now. */
  List<String> running() {
    return table.all().stream()
        .filter(z -> z.record.state().running())
        .map(Zone::id)
        .collect(Collectors.toList());
  }

  /**
   * Signals the zone's running process; the caller holds the zone's lock and has seen it running. A
   * process that exited meanwhile (its exit not yet recorded) is not signalled, and nothing else
   * is.
   */
  void signal(Zone z, int signal) {
    if (z.process != null && z.process.signal(signal) && z.record.state().paused() && signal == 9) {
      try {
        runtime.resume(z.id()); // a frozen process cannot die
      } catch (DockerException notPaused) {
        // the runtime had it thawed already: the signal lands anyway
      }
    }
  }

  /** Called when conmon has written the zone's exit file. */
  void onExit(String id) {
    Zone z = table.find(id);
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
      finishRun(z, z.record.state().exited(code, ZoneTable.now()), true);
    }
  }

  /**
   * Runs {@link #onExit} later, off the caller's lock (a start that found its run ended already).
   */
  void onExitLater(String id) {
    restarts.execute(() -> onExit(id));
  }

  /**
   * Ends a run: runtime state, mount, record, die event; then the restart policy. Under the zone's
   * lock.
   */
  void finishRun(Zone z, ZoneState state, boolean applyPolicy) {
    String id = z.id();
    z.replaceProcess(null);
    if (!state.oomKilled()
        && runtime.oomKills(id) > 0) { // read before runc delete takes the cgroup away
      state = state.withOomKilled();
    }
    tearDown(id);
    RestartPolicy policy = z.record.spec().restartPolicy();
    boolean again =
        applyPolicy
            && policy.restartsAfter(
                state.exitCode(), state.restartCount(), state.manuallyStopped());
    ZoneState ended = again ? state.withStatus(ZoneState.RESTARTING) : state;
    ZoneRecord rec = z.record.withState(ended).withNet(NetStatus.NONE);
    table.save(z, rec);
    z.exit.complete(ended);
    table.publish("die", rec);
    if (!again && rec.spec().autoRemove()) {
      removeLater(id); // --rm: the node removes it, with its anonymous volumes, as Docker's daemon
    }
    if (again) {
      long ranMillis = millisBetween(state.startedAt(), state.finishedAt());
      scheduleRestart(
          z, ranMillis > 10_000 ? 100 : RestartPolicy.delayMillis(state.restartCount()));
    }
  }

  /** A restart that failed to start counts as a run that failed: the policy decides again. */
  void finishRunAfterFailedRestart(Zone z) {
    ZoneState st = z.record.state();
    ZoneState counted = st.restartFailed();
    boolean again =
        z.record
            .spec()
            .restartPolicy()
            .restartsAfter(counted.exitCode(), counted.restartCount(), counted.manuallyStopped());
    ZoneRecord rec = z.record.withState(again ? counted.withStatus(ZoneState.RESTARTING) : counted);
    table.save(z, rec);
    table.publish("die", rec);
    if (again) {
      scheduleRestart(z, RestartPolicy.delayMillis(counted.restartCount()));
    }
  }

  /**
   * Removes an AutoRemove zone whose run ended, out of its lock. Done here, once, rather than by
   * each front end that saw its die event.
   */
  private void removeLater(String id) {
    restarts.execute(
        () -> {
          try {
            removal.delete(id, true, true);
          } catch (RuntimeException e) {
            // removed meanwhile (docker rm), or started again: nothing to do
          }
        });
  }

  private void scheduleRestart(Zone z, long delayMillis) {
    String id = z.id();
    z.pendingRestart =
        restarts.schedule(
            () -> {
              synchronized (z) {
                if (!table.holds(id, z) || !z.record.state().restarting()) {
                  return; // removed, started or stopped meanwhile
                }
                z.pendingRestart = null;
                try {
                  starter.start(id, true, false);
                } catch (RuntimeException e) {
                  // the failed start ended the run with its error; the policy decides again
                }
              }
            },
            delayMillis,
            TimeUnit.MILLISECONDS);
  }

  /**
   * Undoes a run on the host: the runtime's container (whatever its state), the rootfs mount, the
   * network. Also what a start the agent did not live to record left.
   */
  void tearDown(String id) {
    try {
      runtime.delete(id);
    } catch (RuntimeException e) {
      // gone already, or removed with the zone at the latest
    }
    ZonePaths p = table.paths(id);
    ZoneRootfs.unmount(p);
    net.down(id, p.dir());
  }

  /**
   * A pause or unpause the agent did not live to record: the runtime's word is the truth. The
   * zone's process lives (it was just adopted), so it is running or paused.
   */
  private void reconcilePause(Zone z) {
    try {
      boolean paused = runtime.paused(z.id());
      if (paused != z.record.state().paused()) {
        table.save(
            z,
            z.record.withState(
                z.record.state().withStatus(paused ? ZoneState.PAUSED : ZoneState.RUNNING)));
      }
    } catch (DockerException e) {
      // the exit watcher will tell what became of it
    }
  }

  private static long millisBetween(String from, String to) {
    try {
      return Duration.between(Instant.parse(from), Instant.parse(to)).toMillis();
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
}
