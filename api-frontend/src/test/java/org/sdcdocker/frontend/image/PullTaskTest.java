package org.sdcdocker.frontend.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A pull whose registry serves a blob that does not match its digest stores nothing. */
class PullTaskTest {
  @TempDir Path dir;
  private Vertx vertx;
  private HttpServer server;
  private final String goodLayer = "good layer";
  private final String config = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{}}";
  private String manifest;

  @BeforeEach
  void start() {
    String layerDigest = RegistrySession.sha256(goodLayer.getBytes());
    String configDigest = RegistrySession.sha256(config.getBytes());
    manifest =
        "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
            + "\"config\":{\"digest\":\""
            + configDigest
            + "\",\"size\":"
            + config.length()
            + "},"
            + "\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\""
            + layerDigest
            + "\",\"size\":"
            + goodLayer.length()
            + "}]}";
    vertx = Vertx.vertx();
    server =
        vertx
            .createHttpServer()
            .requestHandler(
                req -> {
                  String p = req.path();
                  if (p.endsWith("/manifests/latest")) {
                    req.response()
                        .putHeader("Content-Type", "application/vnd.oci.image.manifest.v1+json")
                        .end(manifest);
                  } else if (p.endsWith(layerDigest)) {
                    req.response().end("evil layer"); // same length, other bytes
                  } else if (p.endsWith(configDigest)) {
                    req.response().end(config);
                  } else {
                    req.response().setStatusCode(404).end();
                  }
                })
            .listen(0, "127.0.0.1")
            .await();
  }

  @AfterEach
  void stop() {
    vertx.close().await();
  }

  @Test
  void aTamperedLayer_failsThePullAndLeavesTheStoreAsItWas() throws Exception {
    BlobStore blobs = new BlobStore(dir.resolve("blobs"));
    ImageStore store = new ImageStore(dir, blobs);
    ImageReference ref = ImageReference.parse("127.0.0.1:" + server.actualPort() + "/x/app");
    PullTask task = new PullTask(PullTask.newHttpClient(), store, "acct", ref, RegistryAuth.NONE);
    task.resolve();
    List<ObjectNode> progress = new ArrayList<>();
    assertThatThrownBy(() -> task.run(progress::add))
        .hasMessageContaining("filesystem layer verification failed for digest");
    assertThat(store.list("acct")).isEmpty();
    assertThat(store.find("acct", ref.toString())).isEmpty();
    try (var left = Files.list(dir.resolve("blobs/sha256"))) {
      assertThat(left).isEmpty();
    }
    try (var tmp = Files.list(dir.resolve("blobs/tmp"))) {
      assertThat(tmp).isEmpty();
    }
    assertThat(progress)
        .extracting(n -> n.path("status").asText())
        .startsWith("Pulling from x/app", "Pulling fs layer");
  }
}
