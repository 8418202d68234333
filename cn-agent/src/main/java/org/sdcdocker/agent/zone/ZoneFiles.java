package org.sdcdocker.agent.zone;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import org.sdcdocker.protocol.Json;
import org.sdcdocker.protocol.agent.ContainerSpec;

/** The files a zone gets besides its image: dockerinit's instructions and /etc's host files. */
final class ZoneFiles {
  private ZoneFiles() {}

  /** Writes every file of a new zone into its directory. */
  static void write(ContainerSpec spec, ZonePaths p) throws IOException {
    Files.createDirectories(p.zonecontrol());
    Files.writeString(p.zonecontrol().resolve("metadata"), metadata(spec));
    Files.writeString(p.dir().resolve("hostname"), spec.hostname() + "\n");
    Files.writeString(p.dir().resolve("hosts"), hosts(spec));
    Files.writeString(p.dir().resolve("resolv.conf"), resolvConf());
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

  private static String hosts(ContainerSpec spec) {
    String fqdn =
        spec.domainname() == null || spec.domainname().isEmpty()
            ? spec.hostname()
            : spec.hostname() + "." + spec.domainname() + " " + spec.hostname();
    return "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
        + "fe00::0\tip6-localnet\nff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n"
        + "127.0.1.1\t"
        + fqdn
        + "\n";
  }

  /** The host's resolvers without loopback ones (they mean nothing in the zone), as Docker. */
  private static String resolvConf() throws IOException {
    Path host = Path.of("/etc/resolv.conf");
    StringBuilder out = new StringBuilder();
    if (Files.isReadable(host)) {
      for (String line : Files.readAllLines(host)) {
        String t = line.trim();
        if (t.startsWith("nameserver") && (t.contains(" 127.") || t.contains(" ::1"))) {
          continue;
        }
        out.append(line).append('\n');
      }
    }
    return out.toString();
  }
}
