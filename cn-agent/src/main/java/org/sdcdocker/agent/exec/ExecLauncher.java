package org.sdcdocker.agent.exec;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.sdcdocker.agent.image.Trees;
import org.sdcdocker.agent.runtime.ContainerRuntime;
import org.sdcdocker.agent.runtime.HostSpecOpts;
import org.sdcdocker.agent.zone.LinuxZoneBackend;
import org.sdcdocker.agent.zone.ZonePaths;
import org.sdcdocker.protocol.DockerException;
import org.sdcdocker.protocol.Json;
import org.sdcdocker.protocol.agent.AgentEvents;
import org.sdcdocker.protocol.agent.ExecRecords.CreateExec;
import org.sdcdocker.protocol.agent.ExecRecords.ExecState;
import org.sdcdocker.protocol.agent.ZoneRecord;

/**
 * {@code docker exec}: dockerinit in exec mode in the zone, with its own instructions (the zone's
 * env, then the exec's; its user, workdir and command). An exec with a terminal, or detached, runs
 * under its own conmon through {@code runc exec} and outlives the agent; an attached exec without a
 * terminal and a health check enter the zone through {@code zone-enter} (dockerinit/src), the
 * agent's child, which costs a fork and a setns where {@code runc exec} costs a Go runtime's start.
 * Every method blocks. Lock order: a zone's lock, then this launcher's (a zone's end takes this one
 * to end its execs); never a zone's while holding this one.
 *
 * <p>Why it is long: the two ways an exec runs (its own conmon, or zone-enter) share its record,
 * its end and its events, and the zone's end must reach both under the one lock order above.
 */
public final class ExecLauncher {
  private final LinuxZoneBackend zones;
  private final ContainerRuntime runtime;
  private static final long DETACHED_LOG_MAX = 1 << 20;

  private final ConcurrentHashMap<String, ExecState> execs = new ConcurrentHashMap<>();
  private final Consumer<AgentEvents.ZoneEvent> events;
  private final DetachedExecs detached = new DetachedExecs(this::finished);
  private final ZoneEnter entering;

  /**
   * The zone-enter processes of running execs, by zone: they must end before the zone's cgroups go.
   */
  private final ConcurrentHashMap<String, Set<Process>> monitors = new ConcurrentHashMap<>();

  /**
   * {@code zoneEnter} is the helper's path; {@code events} gets the end of every exec a client made
   * (exec_die, as Docker's).
   */
  public ExecLauncher(
      LinuxZoneBackend zones,
      ContainerRuntime runtime,
      Path zoneEnter,
      Consumer<AgentEvents.ZoneEvent> events) {
    this.zones = zones;
    this.runtime = runtime;
    this.entering = new ZoneEnter(zoneEnter, zones::get);
    this.events = events;
  }

  /** Records an exec of a running, unpaused zone. */
  public ExecState create(CreateExec c) {
    ZoneRecord z = zones.get(c.zoneId());
    checkRunning(z);
    if (c.spec().cmd().isEmpty()) {
      throw DockerException.invalid("No exec command specified");
    }
    ExecState st = new ExecState(c.execId(), c.zoneId(), c.spec(), false, 0, 0, false);
    execs.put(c.execId(), st);
    return st;
  }

  /** Throws the refusal of a start of the exec (run before, its zone not running, or paused). */
  public void checkStartable(String execId) {
    startable(inspect(execId));
  }

  /** The exec's zone, when the exec may start: not run before, its zone running and not paused. */
  private ZoneRecord startable(ExecState st) {
    if (st.started()) {
      throw DockerException.conflict("Error: Exec command %s has already run", st.execId());
    }
    ZoneRecord z = zones.get(st.zoneId());
    checkRunning(z);
    return z;
  }

  /**
   * Whether the run an exec was to enter is over: ended (recorded or not yet), or ended and
   * replaced by another (a restart between the check and the entry), or the zone is gone.
   */
  private boolean runEnded(ZoneRecord z) {
    String id = z.spec().id();
    try {
      return zones.ended(id) || zones.get(id).state().pid() != z.state().pid();
    } catch (DockerException gone) {
      return true;
    }
  }

  private static void checkRunning(ZoneRecord z) {
    if (!z.state().running()) {
      throw DockerException.conflict("container %s is not running", z.spec().id());
    }
    if (z.state().paused()) {
      throw DockerException.conflict(
          "container %s is paused, unpause the container before exec", z.spec().id());
    }
  }

  public ExecState inspect(String execId) {
    ExecState st = execs.get(execId);
    if (st == null) {
      throw DockerException.notFound("No such exec instance: %s", execId);
    }
    return st;
  }

  /**
   * Starts the exec's process, a child of the agent entering the zone through {@code zone-enter};
   * the caller pumps its streams (its stdin is closed at once unless the exec attaches it) and
   * calls {@link #finished}. The zone's standby takes it when there is one (no cgroup move on the
   * way, which costs an RCU grace period on cgroup v1), and the next standby is made meanwhile.
   */
  public Process start(String execId) {
    ExecState st = inspect(execId);
    Process child;
    ZoneRecord z;
    IOException refused = null;
    synchronized (this) {
      z = startable(st);
      ZonePaths p = zones.paths(st.zoneId());
      ObjectNode proc;
      try {
        proc = ExecInstructions.prepare(execId, z.spec(), st.spec(), p);
      } catch (IOException e) {
        throw DockerException.internal("preparing exec %s: %s", execId, e.getMessage());
      }
      List<String> line =
          new ArrayList<>(
              List.of(
                  Long.toHexString(HostSpecOpts.capabilityMask(proc, "bounding")),
                  Long.toHexString(HostSpecOpts.capabilityMask(proc, "effective"))));
      proc.withArray("args").forEach(a -> line.add(a.asText()));
      child = entering.enter(z);
      try {
        var in = child.getOutputStream();
        in.write((String.join(" ", line) + "\n").getBytes(StandardCharsets.UTF_8));
        in.flush();
        if (!st.spec().attachStdin()) {
          in.close();
        }
      } catch (IOException e) {
        child.destroyForcibly();
        refused = e;
      }
      if (refused == null) {
        execs.put(
            execId,
            new ExecState(execId, st.zoneId(), st.spec(), true, 0, (int) child.pid(), true));
        monitors.computeIfAbsent(z.spec().id(), k -> ConcurrentHashMap.newKeySet()).add(child);
      }
    }
    if (refused != null) {
      // asked off this lock: the zone's lock is taken after it by an exit, which ends the zone's
      // execs under its own lock
      if (runEnded(z)) { // zone-enter refused a zone whose process had just exited
        throw DockerException.conflict("Container %s is not running", z.spec().id());
      }
      throw DockerException.internal("entering zone %s: %s", z.spec().id(), refused.getMessage());
    }
    Process started = child;
    started
        .onExit()
        .thenRun(
            () -> {
              var set = monitors.get(st.zoneId());
              if (set != null) {
                set.remove(started);
              }
            });
    entering.prepareNext(z);
    return child;
  }

  /**
   * Before the runtime removes a zone's cgroups: its standby is ended and the monitors of its execs
   * (whose processes died with the zone's pid namespace) are waited for, so the cgroups are empty.
   */
  public void zoneEnding(String zoneId) {
    synchronized (this) { // not while a start enters the zone
      entering.ending(zoneId);
    }
    var set = monitors.remove(zoneId);
    if (set != null) {
      for (Process m : set) {
        if (!ZoneEnter.awaitQuietly(m)) {
          m.destroyForcibly();
          ZoneEnter.awaitQuietly(m);
        }
      }
    }
  }

  /**
   * Ends the zone's standby, if it has one (its pids limit is about to count only its own
   * processes).
   */
  public synchronized void dropStandby(String zoneId) {
    entering.drop(zoneId);
  }

  /**
   * The agent's own processes in the zone's cgroups (standby and exec monitors): not the zone's to
   * show.
   */
  public Set<Integer> helperPids(String zoneId) {
    Set<Integer> out = new HashSet<>();
    entering.standbyPid(zoneId).ifPresent(out::add);
    var set = monitors.get(zoneId);
    if (set != null) {
      set.forEach(m -> out.add((int) m.pid()));
    }
    return out;
  }

  /** An exec under its own conmon: the directory of its log, socket and exit file. */
  public record ConmonExec(Path bundle, int pid, String zoneId) {
    /** conmon names an exec's exit file after the container. */
    public Path exitFile() {
      return bundle.resolve("exit").resolve(zoneId);
    }
  }

  /** Starts an attached exec under its own conmon, so it outlives the agent as the zone does. */
  public ConmonExec startUnderConmon(String execId) {
    return startUnderConmon(execId, false);
  }

  private ConmonExec startUnderConmon(String execId, boolean detached) {
    ExecState st = inspect(execId);
    synchronized (this) {
      ZoneRecord z = startable(st);
      ZonePaths p = zones.paths(st.zoneId());
      Path bundle = p.dir().resolve("exec-" + execId);
      try {
        Files.createDirectories(bundle);
        var proc = ExecInstructions.prepare(execId, z.spec(), st.spec(), p);
        proc.put("terminal", st.spec().tty());
        Files.write(bundle.resolve("process.json"), Json.bytes(proc));
      } catch (IOException e) {
        throw DockerException.internal("preparing exec %s: %s", execId, e.getMessage());
      }
      int pid =
          runtime.execUnderConmon(
              st.zoneId(),
              execId,
              bundle,
              bundle.resolve("process.json"),
              st.spec().tty(),
              st.spec().attachStdin() && !detached,
              detached ? DETACHED_LOG_MAX : 0);
      execs.put(execId, new ExecState(execId, st.zoneId(), st.spec(), true, 0, pid, true));
      return new ConmonExec(bundle, pid, st.zoneId());
    }
  }

  /** Resizes an exec's terminal through its conmon. */
  public void resize(String execId, int height, int width) {
    ExecState st = inspect(execId);
    if (!st.spec().tty() || !st.running()) {
      throw DockerException.conflict("exec %s has no TTY or is not running", execId);
    }
    runtime.resize(zones.paths(st.zoneId()).dir().resolve("exec-" + execId), height, width);
  }

  /**
   * Starts without a client, under its own conmon (so it outlives the agent, as Docker's outlive
   * the daemon): output is kept to 1 MiB and read by nobody, the exit code is recorded when the
   * exit file appears.
   */
  public ExecState startDetached(String execId) {
    detached.watch(execId, startUnderConmon(execId, true));
    return inspect(execId);
  }

  /** Stops watching detached execs (the agent stops; the execs run on) and ends the standbys. */
  public void close() {
    synchronized (this) {
      detached.close();
      entering.close();
    }
  }

  /** Records the exit code and removes the exec's files. */
  public void finished(String execId, int exitCode) {
    recordEnd(execId, exitCode);
    removeFiles(execId);
  }

  /** Records the exit code (what inspect answers from then on) and publishes exec_die. */
  public void recordEnd(String execId, int exitCode) {
    ExecState st = execs.get(execId);
    if (st == null) {
      return;
    }
    execs.put(execId, new ExecState(execId, st.zoneId(), st.spec(), false, exitCode, 0, true));
    if (!execId.startsWith("health-")) {
      try {
        Instant now = Instant.now();
        events.accept(
            new AgentEvents.ZoneEvent(
                "exec_die",
                zones.get(st.zoneId()),
                now.getEpochSecond() * 1_000_000_000L + now.getNano(),
                Map.of("execID", execId, "exitCode", Integer.toString(exitCode))));
      } catch (DockerException gone) {
        // the zone was removed: no event for its exec
      }
    }
  }

  /** Removes an ended exec's files. */
  public void removeFiles(String execId) {
    ExecState st = execs.get(execId);
    if (st == null) {
      return;
    }
    try {
      ZonePaths p = zones.paths(st.zoneId());
      Files.deleteIfExists(p.zonecontrol().resolve("exec-" + execId));
      Trees.delete(p.dir().resolve("exec-" + execId));
      runtime.removeSocketLink(execId);
    } catch (IOException | DockerException e) {
      // the zone's removal takes them along
    }
  }

  /** Forgets one exec (a health check's, once its outcome is read). */
  void forget(String execId) {
    execs.remove(execId);
  }

  /** Forgets the execs of a removed zone. */
  public void forgetZone(String zoneId) {
    entering.forget(zoneId);
    execs.values().removeIf(e -> e.zoneId().equals(zoneId));
  }
}
