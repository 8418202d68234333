package org.sdcdocker.protocol.agent;

/**
 * A zone's run state as the agent knows it. Status is one of created, running, exited, dead;
 * times are RFC 3339 with nanoseconds, "0001-01-01T00:00:00Z" for never.
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
    long generation) {

  public static final String NEVER = "0001-01-01T00:00:00Z";

  /** The state of a zone just created. */
  public static ZoneState created() {
    return new ZoneState("created", 0, 0, "", NEVER, NEVER, 0, false, 0);
  }

  public boolean running() {
    return "running".equals(status);
  }

  public ZoneState started(int newPid, String at) {
    return new ZoneState("running", newPid, 0, "", at, finishedAt, restartCount, false, generation + 1);
  }

  public ZoneState exited(int code, String at) {
    return new ZoneState("exited", 0, code, error, startedAt, at, restartCount, oomKilled, generation);
  }

  public ZoneState failed(int code, String message, String at) {
    return new ZoneState("exited", 0, code, message, startedAt, at, restartCount, false, generation);
  }
}
