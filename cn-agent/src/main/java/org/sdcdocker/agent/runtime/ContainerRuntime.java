package org.sdcdocker.agent.runtime;

import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * What runs a zone's processes and knows their state: containers made from an OCI bundle, their
 * monitors (which outlive the agent), their cgroups. {@link OciRuntime} is runc under conmon. Every
 * method blocks: call off the event loop.
 */
public interface ContainerRuntime {
  /** Where one created zone's files go. */
  record CreateFiles(Path bundle, Path log, Path pidFile, Path conmonPidFile, Path runtimeLog) {}

  /** Creates the container under a new monitor; returns the pid of its first process. */
  int create(
      String id, CreateFiles f, boolean tty, boolean stdin, boolean stdinOnce, long logSizeMax);

  /** Starts the created container's process. */
  void start(String id);

  /** Changes a running container's cgroup limits; 0 leaves a limit alone. */
  void update(
      String id, long memory, long swap, long reservation, long shares, long nanoCpus, long pids);

  /** Runs an exec's process in the zone under a monitor of its own; returns its pid. */
  int execUnderConmon(
      String zoneId, String execId, Path bundle, Path processJson, boolean tty, boolean stdin);

  /** The same, the monitor keeping the exec's log to {@code logMax} bytes when positive. */
  int execUnderConmon(
      String zoneId,
      String execId,
      Path bundle,
      Path processJson,
      boolean tty,
      boolean stdin,
      long logMax);

  /** Asks the zone's monitor to reopen its log (after the agent rotated it). */
  void reopenLog(Path bundle);

  /** Resizes the zone's terminal. */
  void resize(Path bundle, int height, int width);

  /** Freezes every process of the container. */
  void pause(String id);

  /** Thaws a paused container. */
  void resume(String id);

  /** Called with a container's id before its runtime state and cgroups are removed. */
  void beforeDelete(Consumer<String> hook);

  /** Removes the runtime's state of a container, stopped or not. */
  void delete(String id);

  /** Whether the runtime has state for the container (made and not yet deleted). */
  boolean has(String id);

  /** The runtime's status of the container: created, running, paused, stopped. */
  String status(String id);

  /**
   * Whether a container whose process lives is paused. Cheaper than {@link #status}: an agent that
   * comes back asks it of every running container.
   */
  boolean paused(String id);

  /**
   * How often the kernel's OOM killer struck in the container's memory cgroup (0 when unknown or
   * gone).
   */
  long oomKills(String id);

  /**
   * Removes the link the monitor made for a zone or an exec, under whatever name it chose (conmon
   * shortens the id so that the attach socket's path fits a unix socket address).
   */
  void removeSocketLink(String id) throws IOException;

  /** The exit file the monitor writes for a zone. */
  Path exitFile(String id);

  /** The directory of the exit files. */
  Path exitDir();
}
