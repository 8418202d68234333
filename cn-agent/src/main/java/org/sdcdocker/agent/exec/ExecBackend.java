package org.sdcdocker.agent.exec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import org.sdcdocker.agent.runtime.OciRuntime;
import org.sdcdocker.agent.runtime.SpecFactory;
import org.sdcdocker.agent.zone.LinuxZoneBackend;
import org.sdcdocker.agent.zone.ZonePaths;
import org.sdcdocker.protocol.DockerException;
import org.sdcdocker.protocol.Json;
import org.sdcdocker.protocol.agent.ContainerSpec;
import org.sdcdocker.protocol.agent.ExecRecords.CreateExec;
import org.sdcdocker.protocol.agent.ExecRecords.ExecSpec;
import org.sdcdocker.protocol.agent.ExecRecords.ExecState;
import org.sdcdocker.protocol.agent.ZoneRecord;

/**
 * {@code docker exec}: dockerinit in exec mode in the zone, with its own instructions (the zone's
 * env, then the exec's; its user, workdir and command). An exec with a terminal, or detached, runs
 * under its own conmon through {@code runc exec} and outlives the agent; an attached exec without
 * a terminal and a health check enter the zone through {@code zone-enter} (dockerinit/src), the
 * agent's child, which costs a fork and a setns where {@code runc exec} costs a Go runtime's start.
 * Every method blocks.
 */
public final class ExecBackend {
  private static final String DOCKERINIT = "/native/usr/vm/sbin/dockerinit";

  private final LinuxZoneBackend zones;
  private final OciRuntime runtime;
  private final Path zoneEnter;
  private static final long DETACHED_LOG_MAX = 1 << 20;

  private final ConcurrentHashMap<String, ExecState> execs = new ConcurrentHashMap<>();
  private final java.util.function.Consumer<org.sdcdocker.protocol.agent.AgentEvents.ZoneEvent> events;
  private final ConcurrentHashMap<String, ConmonExec> detached = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Standby> standby = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, java.util.Set<Process>> monitors = new ConcurrentHashMap<>();
  private final java.util.concurrent.ExecutorService standbys = java.util.concurrent.Executors.newSingleThreadExecutor(
      r -> {
        Thread t = new Thread(r, "exec-standby");
        t.setDaemon(true);
        return t;
      });
  private final java.util.Set<String> ending = ConcurrentHashMap.newKeySet();
  private boolean closed;
  private java.util.concurrent.ScheduledExecutorService watcher;

  /**
   * {@code zoneEnter} is the helper's path; {@code events} gets the end of every exec a client
   * made (exec_die, as Docker's).
   */
  public ExecBackend(LinuxZoneBackend zones, OciRuntime runtime, Path zoneEnter,
      java.util.function.Consumer<org.sdcdocker.protocol.agent.AgentEvents.ZoneEvent> events) {
    this.zones = zones;
    this.runtime = runtime;
    this.zoneEnter = zoneEnter;
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

  private static void checkRunning(ZoneRecord z) {
    if (!z.state().running()) {
      throw DockerException.conflict("container %s is not running", z.spec().id());
    }
    if (z.state().paused()) {
      throw DockerException.conflict("container %s is paused, unpause the container before exec", z.spec().id());
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
    synchronized (this) {
      z = startable(st);
      ZonePaths p = zones.paths(st.zoneId());
      com.fasterxml.jackson.databind.node.ObjectNode proc;
      try {
        proc = prepare(execId, z, st, p);
      } catch (IOException e) {
        throw DockerException.internal("preparing exec %s: %s", execId, e.getMessage());
      }
      List<String> line = new ArrayList<>(List.of(
          Long.toHexString(org.sdcdocker.agent.runtime.HostSpecOpts.capabilityMask(proc, "bounding")),
          Long.toHexString(org.sdcdocker.agent.runtime.HostSpecOpts.capabilityMask(proc, "effective"))));
      proc.withArray("args").forEach(a -> line.add(a.asText()));
      ending.remove(z.spec().id()); // running and startable: a run after any earlier end
      child = takeStandby(z);
      if (child == null) {
        child = enter(z, false);
      }
      try {
        var in = child.getOutputStream();
        in.write((String.join(" ", line) + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        in.flush();
        if (!st.spec().attachStdin()) {
          in.close();
        }
      } catch (IOException e) {
        child.destroyForcibly();
        if (zones.ended(z.spec().id())) { // zone-enter refused a zone whose process had just exited
          throw DockerException.conflict("Container %s is not running", z.spec().id());
        }
        throw DockerException.internal("entering zone %s: %s", z.spec().id(), e.getMessage());
      }
      execs.put(execId, new ExecState(execId, st.zoneId(), st.spec(), true, 0, (int) child.pid(), true));
      monitors.computeIfAbsent(z.spec().id(), k -> ConcurrentHashMap.newKeySet()).add(child);
    }
    Process started = child;
    started.onExit().thenRun(() -> {
      var set = monitors.get(st.zoneId());
      if (set != null) {
        set.remove(started);
      }
    });
    if (z.spec().host().pidsLimit() <= 0) {
      ZoneRecord zone = z;
      standbys.execute(() -> makeStandby(zone)); // a zone with a pids limit counts only its own processes
    }
    return child;
  }

  /** A standby of the zone's current run: the next exec's monitor, already in the zone's cgroups. */
  private record Standby(Process process, int initPid) {}

  /** The zone's standby when it is alive and of the zone's current run (otherwise it is ended). */
  private Process takeStandby(ZoneRecord z) {
    Standby s = standby.remove(z.spec().id());
    if (s == null) {
      return null;
    }
    if (s.process().isAlive() && s.initPid() == z.state().pid()) {
      return s.process();
    }
    s.process().destroyForcibly();
    return null;
  }

  private synchronized void makeStandby(ZoneRecord z) {
    if (standby.containsKey(z.spec().id()) || ending.contains(z.spec().id()) || closed) {
      return;
    }
    ZoneRecord now;
    try {
      now = zones.get(z.spec().id());
    } catch (DockerException gone) {
      return;
    }
    if (!now.state().running() || now.state().pid() != z.state().pid()) {
      return; // ended meanwhile: its end dropped the standby before this could be made
    }
    try {
      standby.put(z.spec().id(), new Standby(enter(z, true), z.state().pid()));
    } catch (DockerException e) {
      // the next exec goes the plain way
    }
  }

  /** {@code zone-enter} for the zone's current run; it waits for its instructions on stdin. */
  private Process enter(ZoneRecord z, boolean asStandby) {
    List<String> cmd = new ArrayList<>(List.of(zoneEnter.toString()));
    if (asStandby) {
      cmd.add("--standby");
    }
    cmd.add(Integer.toString(z.state().pid()));
    cmd.add(org.sdcdocker.agent.zone.ZoneSpecs.cgroupPath(z.spec().id()));
    try {
      return new ProcessBuilder(cmd).start();
    } catch (IOException e) {
      throw DockerException.internal("entering zone %s: %s", z.spec().id(), e.getMessage());
    }
  }

  /**
   * Before the runtime removes a zone's cgroups: its standby is ended and the monitors of its execs
   * (whose processes died with the zone's pid namespace) are waited for, so the cgroups are empty.
   */
  public void zoneEnding(String zoneId) {
    synchronized (this) {
      ending.add(zoneId);
      dropStandby(zoneId);
    }
    var set = monitors.remove(zoneId);
    if (set != null) {
      for (Process m : set) {
        if (!awaitQuietly(m)) {
          m.destroyForcibly();
          awaitQuietly(m);
        }
      }
    }
  }

  /** Ends the zone's standby, if it has one (its pids limit is about to count only its own processes). */
  public synchronized void dropStandby(String zoneId) {
    Standby s = standby.remove(zoneId);
    if (s != null) {
      s.process().destroyForcibly();
      awaitQuietly(s.process());
    }
  }

  private static boolean awaitQuietly(Process p) {
    try {
      return p.waitFor(1, java.util.concurrent.TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** The agent's own processes in the zone's cgroups (standby and exec monitors): not the zone's to show. */
  public java.util.Set<Integer> helperPids(String zoneId) {
    java.util.Set<Integer> out = new java.util.HashSet<>();
    Standby s = standby.get(zoneId);
    if (s != null) {
      out.add((int) s.process().pid());
    }
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
        var proc = prepare(execId, z, st, p);
        proc.put("terminal", st.spec().tty());
        Files.write(bundle.resolve("process.json"), Json.bytes(proc));
      } catch (IOException e) {
        throw DockerException.internal("preparing exec %s: %s", execId, e.getMessage());
      }
      int pid = runtime.execUnderConmon(st.zoneId(), execId, bundle, bundle.resolve("process.json"), st.spec().tty(),
          st.spec().attachStdin() && !detached, detached ? DETACHED_LOG_MAX : 0);
      execs.put(execId, new ExecState(execId, st.zoneId(), st.spec(), true, 0, pid, true));
      return new ConmonExec(bundle, pid, st.zoneId());
    }
  }

  /**
   * The exec's instructions for dockerinit, written beside the zone's, and its process: dockerinit
   * in exec mode with the capabilities the exec may have.
   */
  private static com.fasterxml.jackson.databind.node.ObjectNode prepare(String execId, ZoneRecord z, ExecState st,
      ZonePaths p) throws IOException {
    Files.writeString(p.zonecontrol().resolve("exec-" + execId), instructions(z.spec(), st.spec()));
    var proc = SpecFactory.process(List.of(DOCKERINIT, "--exec", "/native/.zonecontrol/exec-" + execId));
    org.sdcdocker.agent.runtime.HostSpecOpts.execCapabilities(proc, z.spec().host(), st.spec().privileged());
    return proc;
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
    ConmonExec t = startUnderConmon(execId, true);
    detached.put(execId, t);
    synchronized (this) {
      if (watcher == null) {
        watcher = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
          Thread th = new Thread(r, "detached-execs");
          th.setDaemon(true);
          return th;
        });
        watcher.scheduleWithFixedDelay(this::sweepDetached, 20, 50, java.util.concurrent.TimeUnit.MILLISECONDS);
      }
    }
    return inspect(execId);
  }

  /** Records the end of every detached exec whose exit file appeared (or whose conmon vanished). */
  private void sweepDetached() {
    for (var e : detached.entrySet()) {
      ConmonExec t = e.getValue();
      try {
        Path f = t.exitFile();
        Integer code = null;
        if (Files.exists(f)) {
          String v = Files.readString(f).trim();
          code = v.isEmpty() ? null : Integer.parseInt(v);
        } else if (!Files.exists(Path.of("/proc", Integer.toString(t.pid())))
            && !Files.exists(t.bundle().resolve("conmon.pid"))) {
          code = 255; // its zone and files were removed meanwhile
        }
        if (code != null) {
          detached.remove(e.getKey());
          finished(e.getKey(), code);
        }
      } catch (IOException | RuntimeException ex) {
        // looked at again at the next sweep
      }
    }
  }

  /** Stops watching detached execs (the agent stops; the execs run on) and ends the standbys. */
  public void close() {
    synchronized (this) {
      closed = true;
      if (watcher != null) {
        watcher.shutdownNow();
      }
      standbys.shutdownNow();
      standby.values().forEach(s -> s.process().destroyForcibly());
      standby.clear();
    }
  }

  /** What a command run for a health check said. */
  public record Outcome(int exitCode, String output) {}

  /**
   * Runs a command in the zone as an exec nobody sees (a health check): output capped at 4 KiB,
   * killed after {@code timeoutMillis} (then exit code -1, as Docker reports a timed-out check).
   */
  public Outcome runCaptured(String zoneId, List<String> cmd, long timeoutMillis) throws IOException, InterruptedException {
    String execId = "health-" + java.util.UUID.randomUUID();
    ExecSpec spec = new ExecSpec(cmd, List.of(), "", "", false, false, true, true, false);
    create(new CreateExec(zoneId, execId, spec));
    Process proc = start(execId);
    proc.getOutputStream().close();
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    Thread reader = new Thread(() -> {
      try (var in = new java.io.SequenceInputStream(proc.getInputStream(), proc.getErrorStream())) {
        byte[] buf = new byte[4096];
        int n;
        while ((n = in.read(buf)) > 0) {
          if (out.size() < 4096) {
            out.write(buf, 0, Math.min(n, 4096 - out.size()));
          }
        }
      } catch (IOException ignored) {
        // the check was killed
      }
    }, "health-output");
    reader.setDaemon(true);
    reader.start();
    boolean done = proc.waitFor(timeoutMillis, java.util.concurrent.TimeUnit.MILLISECONDS);
    if (!done) {
      proc.descendants().forEach(ProcessHandle::destroyForcibly); // the check's processes in the zone
      proc.destroyForcibly();
    }
    reader.join(1000);
    int code = done ? proc.exitValue() : -1;
    finished(execId, code);
    execs.remove(execId);
    String text = out.toString(java.nio.charset.StandardCharsets.UTF_8);
    return new Outcome(code,
        done ? text : "Health check exceeded timeout (" + goDuration(timeoutMillis * 1_000_000L) + ")");
  }

  /** A duration as Go prints one (Docker's messages do): 300ms, 2s, 1.5s, 1m30s, 1h0m0s. */
  static String goDuration(long nanos) {
    if (nanos == 0) {
      return "0s";
    }
    if (nanos < 1_000_000_000L) {
      return nanos < 1_000 ? nanos + "ns"
          : nanos < 1_000_000 ? java.math.BigDecimal.valueOf(nanos, 3).stripTrailingZeros().toPlainString() + "µs"
          : java.math.BigDecimal.valueOf(nanos, 6).stripTrailingZeros().toPlainString() + "ms";
    }
    long h = nanos / 3_600_000_000_000L;
    long m = nanos % 3_600_000_000_000L / 60_000_000_000L;
    String sec = java.math.BigDecimal.valueOf(nanos % 60_000_000_000L, 9).stripTrailingZeros().toPlainString() + "s";
    return h > 0 ? h + "h" + m + "m" + sec : m > 0 ? m + "m" + sec : sec;
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
        java.time.Instant now = java.time.Instant.now();
        events.accept(new org.sdcdocker.protocol.agent.AgentEvents.ZoneEvent(
            "exec_die", zones.get(st.zoneId()), now.getEpochSecond() * 1_000_000_000L + now.getNano(),
            java.util.Map.of("execID", execId, "exitCode", Integer.toString(exitCode))));
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
      org.sdcdocker.agent.image.Trees.delete(p.dir().resolve("exec-" + execId));
      Files.deleteIfExists(runtime.socketLink(execId));
    } catch (IOException | DockerException e) {
      // the zone's removal takes them along
    }
  }

  /** Forgets the execs of a removed zone. */
  public void forgetZone(String zoneId) {
    ending.remove(zoneId);
    execs.values().removeIf(e -> e.zoneId().equals(zoneId));
  }

  /** The exec's instructions for dockerinit: the zone's env then the exec's, its user and workdir. */
  static String instructions(ContainerSpec zone, ExecSpec exec) {
    List<String> env = new ArrayList<>(zone.env());
    env.addAll(exec.env());
    List<String> lines = new ArrayList<>();
    lines.add("sdc:hostname=" + Json.encode(zone.hostname()));
    lines.add("docker:cmd=" + Json.encode(exec.cmd()));
    lines.add("docker:env=" + Json.encode(env));
    String wd = exec.workingDir() != null && !exec.workingDir().isEmpty() ? exec.workingDir() : zone.workingDir();
    if (wd != null && !wd.isEmpty()) {
      lines.add("docker:workdir=" + Json.encode(wd));
    }
    String user = exec.user() != null && !exec.user().isEmpty() ? exec.user() : zone.user();
    if (user != null && !user.isEmpty()) {
      lines.add("docker:user=" + Json.encode(user));
    }
    lines.add("docker:tty=" + Json.encode(Boolean.toString(exec.tty())));
    return String.join("\n", lines) + "\n";
  }
}
