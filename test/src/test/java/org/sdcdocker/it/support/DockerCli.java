package org.sdcdocker.it.support;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/** The real docker CLI pointed at a server; every call is bounded in time. */
public final class DockerCli {
  private final String host;
  private final Path config;
  private final Path certPath;

  /** What one docker command did. */
  public record Result(int exitCode, String out, String err) {
    /** Output and error together, for assertion messages. */
    public String all() {
      return "exit " + exitCode + "\nstdout:\n" + out + "\nstderr:\n" + err;
    }
  }

  public DockerCli(String host) throws IOException {
    this(host, null);
  }

  /**
   * The CLI with {@code DOCKER_TLS_VERIFY=1} and {@code DOCKER_CERT_PATH=certPath} (its ca.pem, and
   * cert.pem and key.pem when there are), as a tenant runs it; null: in the clear.
   */
  public DockerCli(String host, Path certPath) throws IOException {
    this.host = host;
    this.config = configDir();
    this.certPath = certPath;
  }

  private static final List<Path> CONFIG_DIRS = new CopyOnWriteArrayList<>();

  static {
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () ->
                    CONFIG_DIRS.forEach(
                        d -> {
                          try {
                            TestFiles.deleteTree(d);
                          } catch (IOException ignored) {
                            // /tmp is cleaned some day
                          }
                        })));
  }

  /** A fresh DOCKER_CONFIG directory, removed when the test JVM ends. */
  public static Path configDir() throws IOException {
    Path d = Files.createTempDirectory("sdc-docker-cli");
    CONFIG_DIRS.add(d);
    return d;
  }

  /** Runs {@code docker ARGS...}, killed after 60 seconds. */
  public Result run(String... args) throws IOException, InterruptedException {
    return run(60, args);
  }

  public Result run(int timeoutSeconds, String... args) throws IOException, InterruptedException {
    return runWithInput(timeoutSeconds, null, args);
  }

  /** Runs with the given text as standard input (null: /dev/null). */
  public Result runWithInput(int timeoutSeconds, String input, String... args)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add("docker");
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    Map<String, String> env = pb.environment();
    env.put("DOCKER_HOST", host);
    env.put("DOCKER_CONFIG", config.toString());
    env.remove("DOCKER_TLS_VERIFY");
    env.remove("DOCKER_CERT_PATH");
    env.remove("DOCKER_CONTEXT");
    if (certPath != null) {
      env.put("DOCKER_TLS_VERIFY", "1");
      env.put("DOCKER_CERT_PATH", certPath.toString());
    }
    env.put(
        "DOCKER_BUILDKIT",
        "0"); // the classic builder: what this server (and a Docker without buildx) offers
    Path out = Files.createTempFile("docker-out", ".txt");
    Path err = Files.createTempFile("docker-err", ".txt");
    Path in = Files.createTempFile("docker-in", ".txt");
    Files.writeString(in, input == null ? "" : input);
    try {
      Process p =
          pb.redirectOutput(out.toFile())
              .redirectError(err.toFile())
              .redirectInput(
                  input == null
                      ? ProcessBuilder.Redirect.from(new File("/dev/null"))
                      : ProcessBuilder.Redirect.from(in.toFile()))
              .start();
      if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        throw new AssertionError(
            "docker "
                + String.join(" ", args)
                + " did not finish in "
                + timeoutSeconds
                + "s; output so far: "
                + Files.readString(out)
                + Files.readString(err));
      }
      return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
    } finally {
      Files.deleteIfExists(in);
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  /** Runs and expects exit 0; returns stdout trimmed. */
  public String ok(String... args) throws IOException, InterruptedException {
    Result r = run(args);
    if (r.exitCode() != 0) {
      throw new AssertionError("docker " + String.join(" ", args) + " failed: " + r.all());
    }
    return r.out().trim();
  }
}
