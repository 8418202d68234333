package org.sdcdocker.it.support;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A real registry v2 (Debian's {@code docker-registry}) on a free loopback port, storing under a
 * temporary directory; optionally behind htpasswd basic auth.
 */
public final class LocalRegistry implements AutoCloseable {
  private final Process process;
  private final int port;
  private final Path dir;

  private LocalRegistry(Process process, int port, Path dir) {
    this.process = process;
    this.port = port;
    this.dir = dir;
  }

  /** Starts a registry; with a user, it asks for basic auth (htpasswd with bcrypt). */
  public static LocalRegistry start(String user, String password)
      throws IOException, InterruptedException {
    Path dir = Files.createTempDirectory("sdc-registry");
    int port = freePort();
    StringBuilder cfg =
        new StringBuilder()
            .append(
                "version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: ")
            .append(dir.resolve("data"))
            .append("\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:")
            .append(port)
            .append("\n");
    if (user != null) {
      Process h =
          new ProcessBuilder("htpasswd", "-Bbn", user, password).redirectErrorStream(false).start();
      String line = new String(h.getInputStream().readAllBytes()).trim();
      if (h.waitFor() != 0) {
        throw new IOException("htpasswd failed");
      }
      Files.writeString(dir.resolve("htpasswd"), line + "\n");
      cfg.append("auth:\n  htpasswd:\n    realm: sdc-test\n    path: ")
          .append(dir.resolve("htpasswd"))
          .append("\n");
    }
    Files.writeString(dir.resolve("config.yml"), cfg);
    Process p =
        new ProcessBuilder("docker-registry", "serve", dir.resolve("config.yml").toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("registry.log").toFile())
            .start();
    LocalRegistry r = new LocalRegistry(p, port, dir);
    r.awaitUp();
    return r;
  }

  private void awaitUp() throws IOException, InterruptedException {
    HttpClient http = HttpClient.newHttpClient();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < deadline) {
      try {
        HttpResponse<Void> r =
            http.send(
                HttpRequest.newBuilder(URI.create(url() + "/v2/"))
                    .timeout(Duration.ofSeconds(2))
                    .build(),
                HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() == 200 || r.statusCode() == 401) {
          return;
        }
      } catch (IOException e) {
        // not up yet
      }
      if (!process.isAlive()) {
        throw new IOException(
            "docker-registry exited: " + Files.readString(dir.resolve("registry.log")));
      }
      Thread.sleep(50);
    }
    close();
    throw new IOException("docker-registry did not come up on port " + port);
  }

  public static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /** host:port, as image references name it. */
  public String host() {
    return "127.0.0.1:" + port;
  }

  public String url() {
    return "http://" + host();
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
      TestFiles.deleteTree(dir);
    } catch (InterruptedException | IOException e) {
      Thread.currentThread().interrupt();
    }
  }
}
