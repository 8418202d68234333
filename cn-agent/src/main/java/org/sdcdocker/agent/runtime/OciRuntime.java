package org.sdcdocker.agent.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.sdcdocker.protocol.DockerException;

/**
 * runc (or crun) under conmon. conmon runs {@code create} and then lives on as the zone's monitor:
 * it holds stdio, writes the log and the exit file, and outlives the agent. Only a bundle and flags
 * cross this boundary. Every method blocks: call off the event loop.
 *
 * <p>Why it is long: each runtime verb (create under conmon, start, exec under conmon, pause,
 * resume, update, delete, state) with conmon's and runc's files and failures.
 */
public final class OciRuntime implements ContainerRuntime {
  private final String runtime;
  private final String conmon;
  private final Path runtimeRoot;
  private final Path exitDir;
  private final Path socketDir;
  private volatile Consumer<String> beforeDelete = id -> {};

  public OciRuntime(String runtime, String conmon, Path runtimeRoot, Path exitDir, Path socketDir)
      throws IOException {
    this.runtime = runtime;
    this.conmon = conmon;
    this.runtimeRoot = runtimeRoot;
    this.exitDir = exitDir;
    this.socketDir = socketDir;
    Files.createDirectories(runtimeRoot);
    Files.createDirectories(exitDir);
    Files.createDirectories(socketDir);
  }

  /**
   * conmon's arguments for container {@code id}'s process {@code unit} (the container itself, or
   * one exec): its files, where its exit code goes, the runtime and its state root.
   */
  private List<String> conmonArgs(
      String id, String unit, CreateFiles f, Path exits, boolean tty, long logMax) {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                conmon,
                "--api-version",
                "1",
                "-c",
                id,
                "-u",
                unit,
                "-r",
                runtime,
                "-b",
                f.bundle().toString(),
                "-p",
                f.pidFile().toString(),
                "-P",
                f.conmonPidFile().toString(),
                "-l",
                "k8s-file:" + f.log(),
                "--exit-dir",
                exits.toString(),
                "--socket-dir-path",
                socketDir.toString(),
                "--log-level",
                "error",
                "--runtime-arg",
                "--root=" + runtimeRoot,
                "--runtime-arg",
                "--log=" + f.runtimeLog()));
    if (tty) {
      cmd.add("-t");
    }
    if (logMax > 0) {
      cmd.addAll(List.of("--log-size-max", Long.toString(logMax)));
    }
    return cmd;
  }

  /** Creates the container under a new conmon; returns the pid of its first process. */
  @Override
  public int create(
      String id, CreateFiles f, boolean tty, boolean stdin, boolean stdinOnce, long logSizeMax) {
    List<String> cmd = conmonArgs(id, id, f, exitDir, tty, logSizeMax);
    cmd.addAll(List.of("-n", id));
    if (stdin) {
      cmd.add("-i");
      if (!stdinOnce) {
        cmd.add("--leave-stdin-open");
      }
    }
    try {
      Files.deleteIfExists(f.pidFile());
      Files.deleteIfExists(f.runtimeLog());
      launchConmon(cmd);
      return awaitPid(id, f, exitDir);
    } catch (IOException e) {
      throw DockerException.internal("starting conmon: %s", e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw DockerException.internal("interrupted while creating %s", id);
    }
  }

  /** Runs conmon's first process, which forks the monitor and returns; its failure says why. */
  private static void launchConmon(List<String> cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes()).trim();
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw DockerException.internal("conmon did not start within 30s");
    }
    if (p.exitValue() != 0) {
      throw DockerException.internal("conmon failed: %s", out);
    }
  }

  /** conmon daemonizes before runc has created the container: wait for its pid file. */
  private int awaitPid(String id, CreateFiles f, Path exits)
      throws IOException, InterruptedException {
    long start = System.nanoTime();
    long deadline = start + TimeUnit.SECONDS.toNanos(30);
    long sleepMs = 1;
    while (System.nanoTime() < deadline) {
      if (Files.exists(f.pidFile())) {
        String s = Files.readString(f.pidFile()).trim();
        if (!s.isEmpty()) {
          return Integer.parseInt(s);
        }
      }
      if (Files.exists(exits.resolve(id)) || conmonGone(f) || runtimeFailed(f.runtimeLog())) {
        throw DockerException.internal("OCI runtime create failed: %s", lastError(f.runtimeLog()));
      }
      Thread.sleep(sleepMs);
      if (System.nanoTime() - start
          > TimeUnit.MILLISECONDS.toNanos(100)) { // every ms while runc usually works
        sleepMs = Math.min(10, sleepMs * 2);
      }
    }
    throw DockerException.internal("OCI runtime create of %s timed out", id);
  }

  private static boolean conmonGone(CreateFiles f) throws IOException {
    if (!Files.exists(f.conmonPidFile())) {
      return false;
    }
    String s = Files.readString(f.conmonPidFile()).trim();
    return !s.isEmpty() && !Files.exists(Path.of("/proc", s));
  }

  /** runc logs an error line when create fails, before conmon notices. */
  private static boolean runtimeFailed(Path log) throws IOException {
    return Files.exists(log)
        && Files.size(log) > 0
        && Files.readString(log).contains("level=error");
  }

  private static String lastError(Path log) throws IOException {
    if (!Files.exists(log)) {
      return "unknown error";
    }
    return message(Files.readString(log));
  }

  private static final Pattern MSG = Pattern.compile("msg=\"((?:[^\"\\\\]|\\\\.)*)\"");

  /**
   * What runc said, without its log framing ({@code time=... level=error msg="..."}): the last
   * error's message, else its last line.
   */
  static String message(String out) {
    String[] lines = out.strip().split("\n");
    for (int i = lines.length - 1; i >= 0; i--) {
      Matcher m = MSG.matcher(lines[i]);
      if (lines[i].contains("level=error") && m.find()) {
        return m.group(1).replace("\\\"", "\"");
      }
    }
    String last = lines[lines.length - 1];
    return last.isEmpty() ? "unknown error" : last;
  }

  /** Starts the created container's process. */
  @Override
  public void start(String id) {
    run("start", id);
  }

  /** Changes a running container's cgroup limits ({@code runc update}); 0 leaves a limit alone. */
  @Override
  public void update(
      String id, long memory, long swap, long reservation, long shares, long nanoCpus, long pids) {
    List<String> args = new ArrayList<>(List.of("update"));
    if (memory > 0) {
      args.addAll(List.of("--memory", Long.toString(memory), "--memory-swap", Long.toString(swap)));
    }
    if (reservation > 0) {
      args.addAll(List.of("--memory-reservation", Long.toString(reservation)));
    }
    if (shares > 0) {
      args.addAll(List.of("--cpu-share", Long.toString(shares)));
    }
    if (nanoCpus > 0) {
      args.addAll(
          List.of(
              "--cpu-period",
              "100000",
              "--cpu-quota",
              Long.toString(nanoCpus * 100_000 / 1_000_000_000L)));
    }
    if (pids != 0) {
      args.addAll(List.of("--pids-limit", Long.toString(pids)));
    }
    args.add(id);
    run(args.toArray(String[]::new));
  }

  /**
   * Starts an exec under its own conmon (as podman does): conmon runs {@code runc exec}, holds its
   * stdio (a terminal's master with -t), logs its output to {@code bundle/log}, serves input on
   * {@code bundle/attach}, resizes through {@code bundle/ctl}, and writes the exit code to {@code
   * bundle/exit/<execId>}. Returns the process's pid.
   */
  @Override
  public int execUnderConmon(
      String zoneId, String execId, Path bundle, Path processJson, boolean tty, boolean stdin) {
    return execUnderConmon(zoneId, execId, bundle, processJson, tty, stdin, 0);
  }

  /**
   * The same, conmon keeping the exec's log to {@code logMax} bytes when positive (nobody reads
   * it).
   */
  @Override
  public int execUnderConmon(
      String zoneId,
      String execId,
      Path bundle,
      Path processJson,
      boolean tty,
      boolean stdin,
      long logMax) {
    Path exits = bundle.resolve("exit");
    CreateFiles f =
        new CreateFiles(
            bundle,
            bundle.resolve("log"),
            bundle.resolve("pid"),
            bundle.resolve("conmon.pid"),
            bundle.resolve("runtime.log"));
    List<String> cmd = conmonArgs(zoneId, execId, f, exits, tty, logMax);
    cmd.addAll(List.of("-e", "--exec-process-spec", processJson.toString()));
    if (stdin || tty) {
      cmd.add("-i");
    }
    try {
      Files.createDirectories(exits);
      Files.write(f.log(), new byte[0]);
      launchConmon(cmd);
      return awaitPid(execId, f, exits);
    } catch (IOException e) {
      throw DockerException.internal("starting conmon for exec: %s", e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw DockerException.internal("interrupted starting exec %s", execId);
    }
  }

  /** Asks the zone's conmon to reopen its log (after the agent rotated it). */
  @Override
  public void reopenLog(Path bundle) {
    try {
      Files.writeString(bundle.resolve("ctl"), "2 0 0\n", StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw DockerException.internal("reopening the log: %s", e.getMessage());
    }
  }

  /** Resizes the zone's terminal through conmon's control FIFO in the bundle. */
  @Override
  public void resize(Path bundle, int height, int width) {
    Path ctl = bundle.resolve("ctl");
    if (!Files.exists(ctl)) {
      throw DockerException.conflict("the container is not running");
    }
    try {
      Files.writeString(ctl, "1 " + height + " " + width + "\n", StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw DockerException.internal("resizing the terminal: %s", e.getMessage());
    }
  }

  /** Freezes every process of the container (freezer cgroup). */
  @Override
  public void pause(String id) {
    run("pause", id);
  }

  /** Thaws a paused container. */
  @Override
  public void resume(String id) {
    try {
      run("resume", id);
    } catch (DockerException e) {
      // runc resumes only a FROZEN cgroup; one left FREEZING (a task that joined it, or one the
      // kernel could not freeze yet) is thawed here, as the user asked
      if (!thaw(id)) {
        throw e;
      }
    }
  }

  /**
   * Thaws the container's freezer cgroup when it is not thawed; false when there is nothing to
   * thaw.
   */
  private static boolean thaw(String id) {
    Path state = freezerState(id);
    try {
      if (!Files.exists(state) || Files.readString(state).strip().equals("THAWED")) {
        return false;
      }
      Files.writeString(state, "THAWED");
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** The zone's freezer state (cgroups v1): THAWED, FREEZING or FROZEN. */
  private static Path freezerState(String id) {
    return Path.of("/sys/fs/cgroup/freezer/sdc-docker", id, "freezer.state");
  }

  /** Called with a container's id before its runtime state and cgroups are removed. */
  @Override
  public void beforeDelete(Consumer<String> hook) {
    this.beforeDelete = hook;
  }

  /** Removes the runtime's state of a container, stopped or not. */
  @Override
  public void delete(String id) {
    beforeDelete.accept(id);
    if (Files.exists(runtimeRoot.resolve(id))) {
      run("delete", "--force", id);
    }
  }

  /** Whether the runtime has state for the container (made and not yet deleted). */
  @Override
  public boolean has(String id) {
    return Files.exists(runtimeRoot.resolve(id));
  }

  /**
   * The runtime's status of the container ({@code runc state}): created, running, paused, stopped.
   */
  @Override
  public String status(String id) {
    String out = run("state", id);
    Matcher m = Pattern.compile("\"status\":\\s*\"([a-z]+)\"").matcher(out);
    return m.find() ? m.group(1) : "unknown";
  }

  /**
   * Read from the freezer cgroup (FROZEN, as {@code runc state} reads it) without starting runc,
   * which costs about 11 ms a container; {@code runc state} where there is no such file.
   */
  @Override
  public boolean paused(String id) {
    try {
      return Files.readString(freezerState(id)).strip().equals("FROZEN");
    } catch (IOException noFreezerHere) {
      return status(id).equals("paused");
    }
  }

  private String run(String... args) {
    List<String> cmd = new ArrayList<>(List.of(runtime, "--root", runtimeRoot.toString()));
    cmd.addAll(List.of(args));
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes()).trim();
      if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw DockerException.internal(
            "%s %s failed: %s", Path.of(runtime).getFileName(), args[0], message(out));
      }
      return out;
    } catch (IOException e) {
      throw DockerException.internal("running %s: %s", runtime, e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw DockerException.internal("interrupted running %s", runtime);
    }
  }

  /**
   * Conmon names the link after the id, cut so that {@code <socket dir>/<name>/attach} fits the 107
   * bytes of a unix socket address: how much is cut depends on the data root's path. The link is
   * the one whose name the id begins with (at least 32 characters of it: no other zone's).
   */
  @Override
  public void removeSocketLink(String id) throws IOException {
    Files.deleteIfExists(socketDir.resolve(id));
    try (var links = Files.list(socketDir)) {
      for (Path l : links.toList()) {
        String name = l.getFileName().toString();
        if (name.length() >= 32 && id.startsWith(name)) {
          Files.deleteIfExists(l);
        }
      }
    }
  }

  /** The exit file conmon writes for a zone. */
  @Override
  public Path exitFile(String id) {
    return exitDir.resolve(id);
  }

  @Override
  public long oomKills(String id) {
    try {
      for (String l :
          Files.readAllLines(
              Path.of("/sys/fs/cgroup/memory/sdc-docker", id, "memory.oom_control"))) {
        if (l.startsWith("oom_kill ")) {
          return Long.parseLong(l.substring(9).trim());
        }
      }
    } catch (IOException | RuntimeException e) {
      // no cgroup (any more): not known
    }
    return 0;
  }

  @Override
  public Path exitDir() {
    return exitDir;
  }
}
