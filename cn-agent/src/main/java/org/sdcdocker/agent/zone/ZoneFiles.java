package org.sdcdocker.agent.zone;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import org.sdcdocker.agent.net.ZoneEtc;
import org.sdcdocker.protocol.Json;
import org.sdcdocker.protocol.agent.ContainerSpec;
import org.sdcdocker.protocol.agent.NetStatus;

/** The files a zone gets besides its image: dockerinit's instructions and /etc's host files. */
final class ZoneFiles {
  private ZoneFiles() {}

  /** Writes every file of a new zone into its directory. */
  static void write(ContainerSpec spec, ZonePaths p) throws IOException {
    Files.createDirectories(p.zonecontrol());
    Files.writeString(p.zonecontrol().resolve("metadata"), metadata(spec));
    Files.writeString(p.dir().resolve("hostname"), spec.hostname() + "\n");
    // what a created zone shows until its first start writes them with its addresses
    Files.writeString(
        p.dir().resolve("hosts"), ZoneEtc.hosts(spec, NetStatus.NONE, List.of(), "127.0.0.1"));
    Files.writeString(p.dir().resolve("resolv.conf"), ZoneEtc.resolvConf(spec, null));
    Files.writeString(p.dir().resolve("dockerinit.log"), "");
  }

  /** dockerinit's instructions again, with the environment a start adds (its links'). */
  static void writeMetadata(ContainerSpec spec, ZonePaths p, List<String> extraEnv)
      throws IOException {
    List<String> env = new ArrayList<>(extraEnv);
    env.addAll(spec.env()); // the zone's own variables win over its links'
    Path tmp = p.zonecontrol().resolve("metadata.tmp");
    Files.writeString(tmp, metadata(spec, env));
    Files.move(
        tmp,
        p.zonecontrol().resolve("metadata"),
        StandardCopyOption.ATOMIC_MOVE,
        StandardCopyOption.REPLACE_EXISTING);
  }

  static String metadata(ContainerSpec spec) {
    return metadata(spec, spec.env());
  }

  /** dockerinit's instructions: one key=JSON line each, under the SmartOS keys. */
  static String metadata(ContainerSpec spec, List<String> env) {
    List<String> lines = new ArrayList<>();
    lines.add("docker:id=" + Json.encode(spec.id()));
    lines.add("sdc:hostname=" + Json.encode(spec.hostname()));
    lines.add("docker:entrypoint=" + Json.encode(spec.entrypoint()));
    lines.add("docker:cmd=" + Json.encode(spec.cmd()));
    lines.add("docker:env=" + Json.encode(env));
    if (spec.workingDir() != null && !spec.workingDir().isEmpty()) {
      lines.add("docker:workdir=" + Json.encode(spec.workingDir()));
    }
    if (spec.user() != null && !spec.user().isEmpty()) {
      lines.add("docker:user=" + Json.encode(spec.user()));
    }
    lines.add("docker:tty=" + Json.encode(Boolean.toString(spec.tty())));
    lines.add("docker:open_stdin=" + Json.encode(Boolean.toString(spec.openStdin())));
    if (spec.host().init()) {
      lines.add("docker:init=" + Json.encode("true"));
    }
    if (!spec.host().groupAdd().isEmpty()) {
      lines.add("docker:groupadd=" + Json.encode(spec.host().groupAdd()));
    }
    return String.join("\n", lines) + "\n";
  }
}
