package org.sdcdocker.agent.exec;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.sdcdocker.agent.zone.ZoneSpecs;
import org.sdcdocker.bus.Daemons;
import org.sdcdocker.protocol.DockerException;
import org.sdcdocker.protocol.agent.ZoneRecord;

/**
 * Launches {@code zone-enter} (dockerinit/src), the agent's child that enters a zone's namespaces
 * and cgroups and waits for an exec's instructions on stdin, and keeps one ready per zone: a
 * standby, already in the zone's cgroups, so the next exec costs no cgroup move (an RCU grace
 * period on cgroup v1). One lock guards the standbys and which zones are ending, so no standby is
 * made for a zone whose cgroups are about to go.
 */
final class ZoneEnter {
  /** A standby of the zone's current run (its first process {@code initPid}). */
  private record Standby(Process process, int initPid) {}

  private final Path helper;
  private final Function<String, ZoneRecord> current;
  private final Map<String, Standby> standby = new HashMap<>();
  private final Set<String> ending = new HashSet<>();
  private boolean closed;
  private final ExecutorService maker =
      Executors.newSingleThreadExecutor(Daemons.named("exec-standby"));

  /**
   * {@code helper}: zone-enter's path; {@code current}: a zone's record now (throws when it is
   * gone).
   */
  ZoneEnter(Path helper, Function<String, ZoneRecord> current) {
    this.helper = helper;
    this.current = current;
  }

  /**
   * A zone-enter for the zone's current run: its standby when it has a live one, else a new one.
   */
  synchronized Process enter(ZoneRecord z) {
    String id = z.spec().id();
    ending.remove(id); // running and startable: a run after any earlier end
    Standby s = standby.remove(id);
    if (s != null) {
      if (s.process().isAlive() && s.initPid() == z.state().pid()) {
        return s.process();
      }
      s.process().destroyForcibly();
    }
    return launch(z, false);
  }

  /**
   * Makes the zone's next standby in the background (not for a zone with a pids limit: it counts
   * only its own processes).
   */
  void prepareNext(ZoneRecord z) {
    if (z.spec().host().pidsLimit() <= 0) {
      maker.execute(() -> makeStandby(z));
    }
  }

  private synchronized void makeStandby(ZoneRecord z) {
    String id = z.spec().id();
    if (standby.containsKey(id) || ending.contains(id) || closed) {
      return;
    }
    ZoneRecord now;
    try {
      now = current.apply(id);
    } catch (DockerException gone) {
      return;
    }
    if (!now.state().running() || now.state().paused() || now.state().pid() != z.state().pid()) {
      return; // ended meanwhile: its end dropped the standby before this could be made
    }
    try {
      standby.put(id, new Standby(launch(z, true), z.state().pid()));
    } catch (DockerException e) {
      // the next exec goes the plain way
    }
  }

  private Process launch(ZoneRecord z, boolean asStandby) {
    List<String> cmd = new ArrayList<>(List.of(helper.toString()));
    if (asStandby) {
      cmd.add("--standby");
    }
    cmd.add(Integer.toString(z.state().pid()));
    cmd.add(ZoneSpecs.cgroupPath(z.spec().id()));
    try {
      return new ProcessBuilder(cmd).start();
    } catch (IOException e) {
      throw DockerException.internal("entering zone %s: %s", z.spec().id(), e.getMessage());
    }
  }

  /** The zone's run is ending (its cgroups are about to go): its standby ends, no other is made. */
  synchronized void ending(String zoneId) {
    ending.add(zoneId);
    drop(zoneId);
  }

  /**
   * Ends the zone's standby, if it has one (its pids limit is about to count only its own
   * processes).
   */
  synchronized void drop(String zoneId) {
    Standby s = standby.remove(zoneId);
    if (s != null) {
      s.process().destroyForcibly();
      awaitQuietly(s.process());
    }
  }

  /** Forgets a removed zone. */
  synchronized void forget(String zoneId) {
    ending.remove(zoneId);
  }

  /** The pid of the zone's standby, if it has one. */
  synchronized OptionalInt standbyPid(String zoneId) {
    Standby s = standby.get(zoneId);
    return s == null ? OptionalInt.empty() : OptionalInt.of((int) s.process().pid());
  }

  /** Ends every standby; none is made any more (the agent stops). */
  synchronized void close() {
    closed = true;
    maker.shutdownNow();
    standby.values().forEach(s -> s.process().destroyForcibly());
    standby.clear();
  }

  /** Waits a second for a process to end; false when it did not. */
  static boolean awaitQuietly(Process p) {
    try {
      return p.waitFor(1, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
