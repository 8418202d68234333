package org.sdcdocker.frontend.translate;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;
import org.sdcdocker.protocol.DockerException;
import org.sdcdocker.protocol.agent.ExecRecords.ExecSpec;

/**
 * Docker's exec create body ({@code container.ExecOptions}). Its names match without case, as Go's
 * decoder matches them (docker-py sends {@code detachKeys}).
 */
@JsonNaming(PropertyNamingStrategies.UpperCamelCaseStrategy.class)
@JsonFormat(with = JsonFormat.Feature.ACCEPT_CASE_INSENSITIVE_PROPERTIES)
public record ExecOptions(
    @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<String> cmd,
    List<String> env,
    String workingDir,
    String user,
    boolean tty,
    boolean attachStdin,
    boolean attachStdout,
    boolean attachStderr,
    boolean privileged,
    String detachKeys) {
  public ExecOptions {
    cmd = cmd == null ? List.of() : cmd;
    env = env == null ? List.of() : env;
    workingDir = workingDir == null ? "" : workingDir;
    user = user == null ? "" : user;
    detachKeys = detachKeys == null ? "" : detachKeys;
  }

  /** Decodes a checked JSON object. */
  public static ExecOptions decode(JsonNode body) {
    return CreateBody.convert(body, ExecOptions.class, "ExecOptions");
  }

  /** What the agent runs; refused without a command, as Docker refuses it. */
  public ExecSpec spec() {
    if (cmd.isEmpty()) {
      throw DockerException.invalid("No exec command specified");
    }
    return new ExecSpec(
        cmd, env, workingDir, user, tty, attachStdin, attachStdout, attachStderr, privileged);
  }
}
