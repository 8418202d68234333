package org.sdcdocker.frontend.fake;

import io.vertx.core.Vertx;
import java.io.ByteArrayOutputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.sdcdocker.bus.ProtocolCodec;
import org.sdcdocker.frontend.server.FrontendConfig;
import org.sdcdocker.frontend.server.FrontendVerticle;

/**
 * The real front end on a free loopback port, over an {@link InMemoryAgent}, with one image ({@code
 * test/tiny}, a one-file layer, no command) imported: what the fast endpoint tests talk to.
 */
public final class FakeFrontEnd implements AutoCloseable {
  private final Vertx vertx = Vertx.vertx();
  private final HttpClient http = HttpClient.newHttpClient();
  private final String base;

  private FakeFrontEnd(Path root) throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    ProtocolCodec.installOnce(vertx.eventBus());
    new InMemoryAgent(vertx).start();
    FrontendConfig config =
        new FrontendConfig(
            List.of("tcp://127.0.0.1:" + port), root.resolve("fe"), "test-1", "127.0.0.1");
    vertx
        .deployVerticle(new FrontendVerticle(config))
        .toCompletionStage()
        .toCompletableFuture()
        .get(30, TimeUnit.SECONDS);
    base = "http://127.0.0.1:" + port;
    for (int i = 0; i < 100 && !get("/info").body().contains("\"NCPU\":2"); i++) {
      Thread.sleep(20); // until the agent's heartbeat is in
    }
    HttpResponse<String> imported =
        send("POST", "/images/create?fromSrc=-&repo=test/tiny&tag=latest", tar());
    if (imported.statusCode() != 200) {
      throw new IllegalStateException("importing test/tiny: " + imported.body());
    }
  }

  /** Starts one with its data under {@code root}. */
  public static FakeFrontEnd start(Path root) throws Exception {
    return new FakeFrontEnd(root);
  }

  public HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(base + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  public HttpResponse<String> send(String method, String path, String body) throws Exception {
    return send(method, path, body.getBytes(StandardCharsets.UTF_8));
  }

  public HttpResponse<String> send(String method, String path, byte[] body) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(base + path))
            .header("Content-Type", "application/json")
            .method(method, HttpRequest.BodyPublishers.ofByteArray(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Override
  public void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private static byte[] tar() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (TarArchiveOutputStream t = new TarArchiveOutputStream(out)) {
      byte[] data = "hello\n".getBytes(StandardCharsets.UTF_8);
      TarArchiveEntry e = new TarArchiveEntry("hello.txt");
      e.setSize(data.length);
      e.setModTime(0);
      t.putArchiveEntry(e);
      t.write(data);
      t.closeArchiveEntry();
    }
    return out.toByteArray();
  }
}
