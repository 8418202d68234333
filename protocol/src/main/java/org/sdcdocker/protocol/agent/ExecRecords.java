package org.sdcdocker.protocol.agent;

import java.util.List;
import org.sdcdocker.protocol.agent.AgentRequests.Ack;

/**
 * {@code docker exec} between front end and agent: a process run in a zone beside its first one.
 */
public final class ExecRecords {
  private ExecRecords() {}

  /** What to run, as the client asked. */
  public record ExecSpec(
      List<String> cmd,
      List<String> env,
      String workingDir,
      String user,
      boolean tty,
      boolean attachStdin,
      boolean attachStdout,
      boolean attachStderr,
      boolean privileged) {
    public ExecSpec {
      cmd = cmd == null ? List.of() : List.copyOf(cmd);
      env = env == null ? List.of() : List.copyOf(env);
    }
  }

  /** Create an exec in a zone. */
  public record CreateExec(String zoneId, String execId, ExecSpec spec)
      implements AgentRequest<ExecState> {}

  /** Start an exec without attaching (docker exec -d). */
  public record StartExecDetached(String execId) implements AgentRequest<ExecState> {}

  /** Resize an exec's TTY. */
  public record ResizeExec(String execId, int height, int width) implements AgentRequest<Ack> {}

  /** Ask for an exec's state. */
  public record InspectExec(String execId) implements AgentRequest<ExecState> {}

  /** An exec and where it stands. */
  public record ExecState(
      String execId,
      String zoneId,
      ExecSpec spec,
      boolean running,
      int exitCode,
      int pid,
      boolean started) {}
}
