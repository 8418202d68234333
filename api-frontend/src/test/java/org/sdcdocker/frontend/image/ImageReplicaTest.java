package org.sdcdocker.frontend.image;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sdcdocker.bus.ProtocolCodec;
import org.sdcdocker.protocol.Json;
import org.sdcdocker.protocol.agent.Addresses;
import org.sdcdocker.protocol.agent.FrontendEvents.ImageChange;
import org.sdcdocker.protocol.agent.FrontendEvents.ImageCopied;
import org.sdcdocker.protocol.agent.FrontendEvents.ImageState;
import org.sdcdocker.protocol.agent.FrontendEvents.ImageStateRequest;

/**
 * A starting front end copies a running one's state, taken at one moment, while the running one's
 * changes keep coming: a change that came before the copy was made here, and is newer than the
 * state, is not undone by it.
 */
class ImageReplicaTest {
  @TempDir Path dir;
  private Vertx vertx;
  private ImageStore running;
  private ImageStore starting;
  private ImageReplica replica;
  private ImageRecord img;

  @BeforeEach
  void stores() throws Exception {
    vertx = Vertx.vertx();
    // one blob directory: the starting front end has the blobs, so nothing is fetched
    BlobStore blobs = new BlobStore(dir.resolve("blobs"));
    running = new ImageStore(dir.resolve("running"), blobs);
    starting = new ImageStore(dir.resolve("starting"), blobs);
    replica = new ImageReplica(vertx, starting, "http://127.0.0.1:9", null);
    img = running.addMade("alice", Json.MAPPER.readTree("{\"config\":{}}"), List.of(), 0, "", null);
  }

  @AfterEach
  void close() {
    replica.close();
    vertx.close().await();
  }

  private ImageChange change(String kind, String account, String imageId, String repoTag) {
    ImageRecord i = kind.equals("add") ? img : null;
    return new ImageChange(
        "running",
        "http://127.0.0.1:9",
        kind,
        account,
        imageId,
        i == null ? null : i.layers(),
        i == null ? null : i.repoDigests(),
        i == null ? 0 : i.size(),
        i == null ? null : i.created(),
        i == null ? null : i.parent(),
        repoTag,
        1);
  }

  @Test
  void anImageAddedAfterTheStateWasTaken_staysWithItsTagAndOwner() throws Exception {
    ImageState before = new ImageState("http://127.0.0.1:9", List.of(), Map.of(), Map.of());
    replica.apply(change("add", "alice", img.id(), "bb:1")); // came before the state's answer
    replica.copy(before);
    assertThat(starting.all()).extracting(ImageRecord::id).containsExactly(img.id());
    assertThat(starting.allTags()).isEqualTo(Map.of("alice", Map.of("bb:1", img.id())));
    assertThat(starting.list("alice")).extracting(ImageRecord::id).containsExactly(img.id());
  }

  @Test
  void aTagRemovedAfterTheStateWasTaken_isNotBroughtBack() throws Exception {
    ImageState before =
        new ImageState(
            "http://127.0.0.1:9",
            List.of(change("add", null, img.id(), null)),
            Map.of("alice", Map.of("bb:1", img.id(), "bb:2", img.id())),
            Map.of("alice", List.of(img.id())));
    replica.apply(change("untag", "alice", null, "bb:2"));
    replica.copy(before);
    assertThat(starting.allTags()).isEqualTo(Map.of("alice", Map.of("bb:1", img.id())));
  }

  @Test
  void anImageRemovedAfterTheStateWasTaken_isNotBroughtBack() throws Exception {
    starting.apply(new ImageStore.Change("add", "alice", img, img.id(), null)); // from its disk
    ImageState before =
        new ImageState(
            "http://127.0.0.1:9",
            List.of(change("add", null, img.id(), null)),
            Map.of(),
            Map.of("alice", List.of(img.id())));
    replica.apply(change("disown", "alice", img.id(), null));
    replica.apply(change("delete", null, img.id(), null));
    replica.copy(before);
    assertThat(starting.all()).isEmpty();
    assertThat(starting.list("alice")).isEmpty();
  }

  @Test
  void whatTheStateHasAndNoChangeTouched_isCopied_andWhatItLacks_goes() throws Exception {
    ImageRecord old =
        starting.addMade(
            "bob", Json.MAPPER.readTree("{\"config\":{\"Cmd\":[\"x\"]}}"), List.of(), 0, "", null);
    ImageState now =
        new ImageState(
            "http://127.0.0.1:9",
            List.of(change("add", null, img.id(), null)),
            Map.of("alice", Map.of("bb:1", img.id())),
            Map.of("alice", List.of(img.id())));
    replica.copy(now);
    assertThat(starting.all()).extracting(ImageRecord::id).containsExactly(img.id());
    assertThat(starting.list("bob")).extracting(ImageRecord::id).doesNotContain(old.id());
    assertThat(starting.allTags()).isEqualTo(Map.of("alice", Map.of("bb:1", img.id())));
  }

  @Test
  void anotherFrontEndsChange_isMadeAndAnswered_whileTheStartingCopyWaitsForABlob()
      throws Exception {
    // the starting front end's own blob directory lacks the image's: the copy fetches it from a
    // blob endpoint that holds it back until the change was answered
    ImageStore alone = new ImageStore(dir.resolve("alone"), new BlobStore(dir.resolve("b2")));
    ImageReplica starter = new ImageReplica(vertx, alone, "http://127.0.0.1:9", null);
    byte[] blob = running.blobs().read(img.id());
    CountDownLatch asked = new CountDownLatch(1);
    CompletableFuture<Void> release = new CompletableFuture<>();
    HttpServer blobs =
        vertx
            .createHttpServer()
            .requestHandler(
                r -> {
                  asked.countDown();
                  Future.fromCompletionStage(release)
                      .onComplete(v -> r.response().end(io.vertx.core.buffer.Buffer.buffer(blob)));
                })
            .listen(0, "127.0.0.1")
            .await();
    String source = "http://127.0.0.1:" + blobs.actualPort();
    ProtocolCodec.installOnce(vertx.eventBus());
    vertx
        .eventBus()
        .<ImageStateRequest>consumer(
            Addresses.FRONTEND_IMAGE_STATE,
            m ->
                m.reply(
                    new ImageState(
                        source,
                        List.of(change("add", null, img.id(), null)),
                        Map.of("alice", Map.of("bb:1", img.id(), "bb:2", img.id())),
                        Map.of("alice", List.of(img.id())))));
    CompletableFuture<ImageCopied> answered = new CompletableFuture<>();
    vertx
        .eventBus()
        .<ImageCopied>consumer(
            Addresses.FRONTEND_IMAGE_COPIES,
            m -> {
              if ("running".equals(m.body().origin())) {
                answered.complete(m.body());
              }
            });
    try {
      CompletableFuture<Void> copied = starter.start().toCompletionStage().toCompletableFuture();
      assertThat(asked.await(10, TimeUnit.SECONDS)).isTrue();
      // made after the state was taken: the tag bb:2 went
      vertx.eventBus().publish(Addresses.FRONTEND_IMAGES, change("untag", "alice", null, "bb:2"));
      assertThat(answered.get(10, TimeUnit.SECONDS).seq()).isEqualTo(1);
      assertThat(starter.copyProgress()).isEqualTo("0 of 1 images");
      assertThat(copied).isNotDone();
      release.complete(null);
      copied.get(10, TimeUnit.SECONDS);
      assertThat(starter.copyProgress()).isNull();
      assertThat(alone.all()).extracting(ImageRecord::id).containsExactly(img.id());
      assertThat(alone.allTags()).isEqualTo(Map.of("alice", Map.of("bb:1", img.id())));
    } finally {
      release.complete(null);
      starter.close();
      blobs.close().await();
    }
  }
}
