package org.sdcdocker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The Debian package the build makes, installed in a clean root (this machine's file system under
 * an overlay, with its own network namespace): its files, its config files (every flag, read by the
 * commands), its systemd units (systemd-analyze verify), then a front end and an agent started from
 * the installed paths with the installed configs, ready only when they serve (READY=1 on
 * NOTIFY_SOCKET), a container run through them with the docker CLI, sdc-dockeradm, SIGTERM, and
 * dpkg -r. The steps are test/scripts/install-test.sh's; it removes what it made, whatever
 * happened.
 */
class InstallTest {
  private static final Path REPO =
      Path.of(System.getProperty("sdc.repo", "..")).toAbsolutePath().normalize();

  @Test
  void theUnits_commandsAndOptionsExist_systemdAnalyzeVerify() throws Exception {
    String out = install("units");
    assertThat(out)
        .contains("install-test: systemd-analyze verify of the units", "install-test: ok")
        .doesNotContain("install-test: the front end");
  }

  @Test
  void thePackageInstalls_andItsFrontEndAndAgentServeFromTheInstalledPaths() throws Exception {
    String out = install(null);
    assertThat(out)
        .contains(
            "install-test: the frontend, from /usr/bin/sdc-docker",
            "install-test: the agent, from /usr/bin/sdc-docker",
            "install-test: docker run through the installed front end and agent",
            "install-test: SIGTERM: both stop, saying STOPPING=1",
            "install-test: ok");
  }

  /** Runs the script (8 minutes at most), asserts it succeeded, and returns what it said. */
  private static String install(String only) throws Exception {
    Path deb;
    try (Stream<Path> s = Files.list(REPO.resolve("packaging/target"))) {
      deb =
          s.filter(p -> p.getFileName().toString().matches("sdc-docker_.*_amd64\\.deb"))
              .findFirst()
              .orElseThrow(() -> new AssertionError("the build made no Debian package"));
    }
    Path log = Files.createTempFile("install-test", ".log");
    Path work = Files.createTempDirectory("sdc-install");
    Files.delete(work); // the script makes it, and removes it
    try {
      List<String> cmd =
          new ArrayList<>(
              List.of(
                  REPO.resolve("test/scripts/install-test.sh").toString(),
                  deb.toString(),
                  work.toString()));
      if (only != null) {
        cmd.add(only);
      }
      Process p =
          new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
      if (!p.waitFor(8, TimeUnit.MINUTES)) {
        p.destroy(); // its trap cleans up
        p.waitFor(60, TimeUnit.SECONDS);
        throw new AssertionError("the install test ran over 8 minutes:\n" + read(log));
      }
      String out = read(log);
      assertThat(p.exitValue()).as(out).isZero();
      assertThat(new File(work.toString())).doesNotExist();
      return out;
    } finally {
      Files.deleteIfExists(log);
    }
  }

  private static String read(Path log) throws IOException {
    List<String> lines = Files.readAllLines(log);
    return String.join("\n", lines);
  }
}
