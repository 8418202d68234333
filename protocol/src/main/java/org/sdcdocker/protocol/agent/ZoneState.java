package org.sdcdocker.protocol.agent;

import java.util.List;

/**
 * A zone's run state as the agent knows it. Status is one of created, running, paused, restarting
 * (waiting out a restart policy's delay), exited; times are RFC 3339 with nanoseconds, {@link
 * #NEVER} for never. {@code generation} counts the runs; {@code manuallyStopped} is set by a stop
 * or kill through the API and keeps a restart policy from starting the zone again until its next
 * start.
 */
public record ZoneState(
    String status,
    int pid,
    int exitCode,
    String error,
    String startedAt,
    String finishedAt,
    int restartCount,
    boolean oomKilled,
    long generation,
    boolean manuallyStopped,
    Health health) {

  /** A health check's state: starting, healthy or unhealthy, with the last few results. */
  public record Health(String status, int failingStreak, List<Probe> log) {
    public Health {
      log = log == null ? List.of() : List.copyOf(log);
    }
  }

  /** One run of a health check. */
  public record Probe(String start, String end, int exitCode, String output) {}

  public static final String NEVER = "0001-01-01T00:00:00Z";

  /** The statuses of a zone, as Docker names a container's. */
  public static final String CREATED = "created";

  public static final String RUNNING = "running";
  public static final String PAUSED = "paused";
  public static final String RESTARTING = "restarting";
  public static final String EXITED = "exited";

  /** The state of a zone just created. */
  public static ZoneState created() {
    return new ZoneState(CREATED, 0, 0, "", NEVER, NEVER, 0, false, 0, false, null);
  }

  /** Whether its process lives (running or paused). */
  public boolean running() {
    return RUNNING.equals(status) || PAUSED.equals(status);
  }

  public boolean paused() {
    return PAUSED.equals(status);
  }

  public boolean restarting() {
    return RESTARTING.equals(status);
  }

  /** A new run; an automatic restart counts, a manual start resets the count. */
  public ZoneState started(int newPid, String at, boolean automatic) {
    return run(newPid, at, automatic ? restartCount + 1 : 0);
  }

  /** A run a restart policy began at the node's boot: the count stays as it was. */
  public ZoneState startedAtBoot(int newPid, String at) {
    return run(newPid, at, restartCount);
  }

  private ZoneState run(int newPid, String at, int count) {
    return new ZoneState(
        RUNNING, newPid, 0, "", at, finishedAt, count, false, generation + 1, false, null);
  }

  /**
   * A start that did not run its command: {@code newStatus}, no process, Docker's code and the
   * reason; the last run's times stay.
   */
  public ZoneState notStarted(String newStatus, int code, String reason) {
    return new ZoneState(
        newStatus,
        0,
        code,
        reason,
        startedAt,
        finishedAt,
        restartCount,
        false,
        generation,
        manuallyStopped,
        null);
  }

  /** The same run's end, the kernel's OOM killer having struck in it. */
  public ZoneState withOomKilled() {
    return new ZoneState(
        status,
        pid,
        exitCode,
        error,
        startedAt,
        finishedAt,
        restartCount,
        true,
        generation,
        manuallyStopped,
        health);
  }

  /** A policy's restart that failed to start: it counts as a run, with no process. */
  public ZoneState restartFailed() {
    return new ZoneState(
        status,
        0,
        exitCode,
        error,
        startedAt,
        finishedAt,
        restartCount + 1,
        false,
        generation,
        manuallyStopped,
        health);
  }

  public ZoneState started(int newPid, String at) {
    return started(newPid, at, false);
  }

  public ZoneState exited(int code, String at) {
    return new ZoneState(
        EXITED,
        0,
        code,
        error,
        startedAt,
        at,
        restartCount,
        oomKilled,
        generation,
        manuallyStopped,
        health);
  }

  public ZoneState failed(int code, String message, String at) {
    return new ZoneState(
        EXITED,
        0,
        code,
        message,
        startedAt,
        at,
        restartCount,
        false,
        generation,
        manuallyStopped,
        health);
  }

  public ZoneState withStatus(String s) {
    return new ZoneState(
        s,
        pid,
        exitCode,
        error,
        startedAt,
        finishedAt,
        restartCount,
        oomKilled,
        generation,
        manuallyStopped,
        health);
  }

  public ZoneState stoppedByUser() {
    return new ZoneState(
        status,
        pid,
        exitCode,
        error,
        startedAt,
        finishedAt,
        restartCount,
        oomKilled,
        generation,
        true,
        health);
  }

  public ZoneState withHealth(Health h) {
    return new ZoneState(
        status,
        pid,
        exitCode,
        error,
        startedAt,
        finishedAt,
        restartCount,
        oomKilled,
        generation,
        manuallyStopped,
        h);
  }
}
