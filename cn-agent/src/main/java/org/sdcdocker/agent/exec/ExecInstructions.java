package org.sdcdocker.agent.exec;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.sdcdocker.agent.runtime.HostSpecOpts;
import org.sdcdocker.agent.runtime.SpecFactory;
import org.sdcdocker.agent.zone.ZonePaths;
import org.sdcdocker.agent.zone.ZoneSpecs;
import org.sdcdocker.protocol.Json;
import org.sdcdocker.protocol.agent.ContainerSpec;
import org.sdcdocker.protocol.agent.ExecRecords.ExecSpec;

/**
 * What dockerinit reads to run an exec: its instructions beside the zone's, and its OCI process.
 */
final class ExecInstructions {
  private ExecInstructions() {}

  /**
   * Writes the exec's instructions into the zone's control directory and returns its process:
   * dockerinit in exec mode with the capabilities the exec may have.
   */
  static ObjectNode prepare(String execId, ContainerSpec zone, ExecSpec exec, ZonePaths p)
      throws IOException {
    Files.writeString(p.zonecontrol().resolve("exec-" + execId), of(zone, exec));
    ObjectNode proc =
        SpecFactory.process(
            List.of(ZoneSpecs.DOCKERINIT, "--exec", "/native/.zonecontrol/exec-" + execId));
    HostSpecOpts.execCapabilities(proc, zone.host(), exec.privileged());
    return proc;
  }

  /**
   * The exec's instructions for dockerinit: the zone's env then the exec's, its user and workdir.
   */
  static String of(ContainerSpec zone, ExecSpec exec) {
    List<String> env = new ArrayList<>(zone.env());
    env.addAll(exec.env());
    List<String> lines = new ArrayList<>();
    lines.add("sdc:hostname=" + Json.encode(zone.hostname()));
    lines.add("docker:cmd=" + Json.encode(exec.cmd()));
    lines.add("docker:env=" + Json.encode(env));
    String wd =
        exec.workingDir() != null && !exec.workingDir().isEmpty()
            ? exec.workingDir()
            : zone.workingDir();
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
