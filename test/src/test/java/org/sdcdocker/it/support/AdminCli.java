package org.sdcdocker.it.support;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Commands the tests run as an operator would: sdc-dockeradm, and other programs, bounded. */
public final class AdminCli {
  private AdminCli() {}

  /** {@code sdc-dockeradm --socket SOCKET ARGS...} on this test's class path (60 s at most). */
  public static DockerCli.Result sdcDockeradm(Path socket, String... args)
      throws IOException, InterruptedException {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                ProcessHandle.current().info().command().orElse("java"),
                "-cp",
                System.getProperty("java.class.path"),
                "org.sdcdocker.launcher.Admin",
                "--socket",
                socket.toString()));
    cmd.addAll(List.of(args));
    return run(cmd);
  }

  /** Runs a program with no input and returns what it did (60 s at most). */
  public static DockerCli.Result run(List<String> cmd) throws IOException, InterruptedException {
    Path out = Files.createTempFile("cmd", ".out");
    Path err = Files.createTempFile("cmd", ".err");
    try {
      Process p =
          new ProcessBuilder(cmd)
              .redirectOutput(out.toFile())
              .redirectError(err.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
              .start();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        throw new IllegalStateException(String.join(" ", cmd) + " did not finish in 60 s");
      }
      return new DockerCli.Result(p.exitValue(), Files.readString(out), Files.readString(err));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }
}
