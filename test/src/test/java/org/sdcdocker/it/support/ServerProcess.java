package org.sdcdocker.it.support;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code sdc-docker serve} in a JVM of its own (this test's class path, bin/sdc-docker's heap
 * flags), so a test can kill it with SIGKILL, as an operator or the kernel's OOM killer would, and
 * start it again on the same data root. Its networks come from a pool of their own, so they never
 * meet those of a server running beside it.
 */
public final class ServerProcess implements AutoCloseable {
  private final Path dataRoot;
  private final int port;
  private final Path log;
  private final List<String> extra;
  private Process process;

  public ServerProcess(Path dataRoot, int port) {
    this(dataRoot, port, List.of());
  }

  /** With more flags for serve ({@code --tlsverify} makes its tcp:// host TLS). */
  public ServerProcess(Path dataRoot, int port, List<String> extra) {
    this.dataRoot = dataRoot;
    this.port = port;
    this.extra = List.copyOf(extra);
    // kept after the test (its temporary directory goes): target/ of the module that runs it
    this.log =
        Path.of("target", "server-" + dataRoot.getParent().getFileName() + ".log").toAbsolutePath();
  }

  public String host() {
    return "tcp://127.0.0.1:" + port;
  }

  public String url() {
    return (tls() ? "https" : "http") + "://127.0.0.1:" + port;
  }

  private boolean tls() {
    return extra.contains("--tlsverify");
  }

  /** The front end's admin socket (sdc-dockeradm's). */
  public Path adminSocket() {
    return dataRoot.resolve("frontend/admin.sock");
  }

  public Path dataRoot() {
    return dataRoot;
  }

  /** Starts the server and waits until it answers /_ping (60 s at most). */
  public void start() throws IOException, InterruptedException {
    Path repo = Path.of(System.getProperty("sdc.repo", "..")).toAbsolutePath().normalize();
    String java = ProcessHandle.current().info().command().orElse("java");
    Files.createDirectories(log.getParent());
    process =
        new ProcessBuilder(command(java, repo))
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    awaitPing(url(), process, log, 60);
  }

  private List<String> command(String java, Path repo) {
    List<String> cmd =
        new java.util.ArrayList<>(
            List.of(
                java,
                "-XX:+UseSerialGC",
                "-Xss512k",
                "-Xmx128m",
                "-cp",
                System.getProperty("java.class.path"),
                "org.sdcdocker.launcher.Main",
                "serve",
                "--dockerinit",
                repo.resolve("dockerinit/target/dockerinit").toString(),
                "--data-root",
                dataRoot.toString(),
                "-H",
                host(),
                "--network-pool",
                "10.213.0.0/16"));
    cmd.addAll(extra);
    return cmd;
  }

  /**
   * Waits until a server process answers {@code /_ping} at {@code url}; fails when it exits first
   * or does not answer within {@code seconds}.
   */
  public static void awaitPing(String url, Process process, Path log, int seconds)
      throws IOException, InterruptedException {
    HttpClient http =
        url.startsWith("https:") // only whether it answers: its certificate is the test's to check
            ? HttpClient.newBuilder().sslContext(trustingEveryServer()).build()
            : HttpClient.newHttpClient();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("the server exited at start; see " + log);
      }
      try {
        HttpResponse<String> r =
            http.send(
                HttpRequest.newBuilder(URI.create(url + "/_ping"))
                    .timeout(Duration.ofSeconds(2))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException(
        "the server did not answer within " + seconds + " s; see " + log);
  }

  private static javax.net.ssl.SSLContext trustingEveryServer() {
    try {
      javax.net.ssl.SSLContext c = javax.net.ssl.SSLContext.getInstance("TLS");
      c.init(
          null,
          new javax.net.ssl.TrustManager[] {
            new javax.net.ssl.X509TrustManager() {
              @Override
              public void checkClientTrusted(
                  java.security.cert.X509Certificate[] chain, String authType) {}

              @Override
              public void checkServerTrusted(
                  java.security.cert.X509Certificate[] chain, String authType) {}

              @Override
              public java.security.cert.X509Certificate[] getAcceptedIssuers() {
                return new java.security.cert.X509Certificate[0];
              }
            }
          },
          null);
      return c;
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** SIGKILL: no shutdown hook, no goodbye; its containers run on under conmon. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  public boolean alive() {
    return process != null && process.isAlive();
  }

  /** Appends the server's threads to its log (for a request that got no answer). */
  public void dumpThreads() throws IOException, InterruptedException {
    if (alive()) {
      new ProcessBuilder("jcmd", Long.toString(process.pid()), "Thread.print")
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
          .start()
          .waitFor(30, TimeUnit.SECONDS);
    }
  }

  /**
   * Removes by hand, with the server down, every container it made: thawed, killed, deleted from
   * runc, unmounted, its network namespace and cgroups gone. A failed test's last resort; the next
   * start of the server then finds no zone running and sweeps its idle bridges.
   */
  public void scrub() throws IOException, InterruptedException {
    scrubAgent(dataRoot.resolve("agent"));
  }

  /** The same for one agent's data root (its process down). */
  public static void scrubAgent(Path agentRoot) throws IOException, InterruptedException {
    Path zones = agentRoot.resolve("zones");
    List<Path> dirs = Files.isDirectory(zones) ? Files.list(zones).toList() : List.of();
    for (Path d : dirs) {
      String id = d.getFileName().toString();
      Path freezer = Path.of("/sys/fs/cgroup/freezer/sdc-docker", id, "freezer.state");
      if (Files.exists(freezer)) {
        Files.writeString(freezer, "THAWED");
      }
      Path procs = Path.of("/sys/fs/cgroup/pids/sdc-docker", id, "cgroup.procs");
      if (Files.exists(procs)) {
        for (String pid : Files.readAllLines(procs)) {
          ProcessHandle.of(Long.parseLong(pid.trim())).ifPresent(ProcessHandle::destroyForcibly);
        }
      }
      run("runc", "--root", agentRoot.resolve("runc").toString(), "delete", "--force", id);
      run("umount", "-l", d.resolve("rootfs").toString());
      run("ip", "netns", "delete", "sdc-" + id);
    }
    run("pkill", "-9", "-f", "conmon.*" + agentRoot);
    Thread.sleep(500);
    for (Path d : dirs) {
      try (var controllers = Files.list(Path.of("/sys/fs/cgroup"))) {
        for (Path c : controllers.toList()) {
          Files.deleteIfExists(c.resolve("sdc-docker").resolve(d.getFileName()));
        }
      } catch (IOException stillBusy) {
        // reported by the leftover check
      }
    }
  }

  private static void run(String... cmd) throws IOException, InterruptedException {
    new ProcessBuilder(cmd)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .start()
        .waitFor(30, TimeUnit.SECONDS);
  }

  /** The server's log, for a failure's message. */
  public Path log() {
    return log;
  }

  /** SIGTERM, as a service manager stops it. */
  @Override
  public void close() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroy();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      }
    }
  }
}
