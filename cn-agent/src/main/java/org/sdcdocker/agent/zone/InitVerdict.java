package org.sdcdocker.agent.zone;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.sdcdocker.protocol.agent.ContainerSpec;

/**
 * dockerinit's verdict on a start, read from its log in the zone: it exec'd the command (DROP
 * PRIVS) or it failed (its FATAL line). A start is answered only after it, as Docker's start is
 * answered after the command's exec.
 */
final class InitVerdict {
  private static final Pattern FATAL = Pattern.compile("FATAL \\(code: (\\d+)\\): (.*)");
  private static final long WAIT_NANOS = 5_000_000_000L;

  private InitVerdict() {}

  /**
   * Where the host sees the log: through the overlay, resolved inside the root (an image's /var/log
   * may be a link), or the read-only root's own file.
   */
  static Path logOf(ContainerSpec spec, ZonePaths p) throws IOException {
    return spec.host().readOnlyRootfs()
        ? p.dir().resolve("dockerinit.log")
        : InRoot.resolve(p.rootfs(), "/var/log/sdc-dockerinit.log");
  }

  /**
   * The FATAL line, or null once the command was exec'd or the zone ended without one (5 s at
   * most).
   */
  static String await(Path log, Path exitFile) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + WAIT_NANOS;
    while (System.nanoTime() < deadline) {
      if (Files.isRegularFile(log, LinkOption.NOFOLLOW_LINKS)) {
        String text = Files.readString(log);
        Matcher m = FATAL.matcher(text);
        if (m.find()) {
          return m.group(0);
        }
        if (text.contains(" DROP PRIVS")) {
          return null;
        }
      }
      if (Files.exists(exitFile)) {
        return null; // ended without a word: an ordinary exit
      }
      Thread.sleep(2);
    }
    return null;
  }

  static int code(String fatalLine) {
    Matcher m = FATAL.matcher(fatalLine);
    return m.find() ? Integer.parseInt(m.group(1)) : 128;
  }

  static String reason(String fatalLine) {
    Matcher m = FATAL.matcher(fatalLine);
    return m.find() ? m.group(2) : fatalLine;
  }
}
