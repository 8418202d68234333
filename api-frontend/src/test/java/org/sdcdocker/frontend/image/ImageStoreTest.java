package org.sdcdocker.frontend.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sdcdocker.protocol.Json;

class ImageStoreTest {
  @TempDir Path dir;

  @Test
  void untaggedImagesStayTheAccountsAcrossARestart_andChildrenKnowTheirParent() throws Exception {
    ImageStore store = new ImageStore(dir, new BlobStore(dir.resolve("blobs")));
    ImageRecord base =
        store.addMade("alice", Json.MAPPER.readTree("{\"config\":{}}"), List.of(), 0, "", null);
    ImageRecord step =
        store.addMade(
            "alice",
            Json.MAPPER.readTree("{\"config\":{\"Cmd\":[\"x\"]}}"),
            List.of(),
            0,
            "",
            base.id());
    store.tag("alice", step, ImageReference.parse("local/built:1"));

    ImageStore again = new ImageStore(dir, new BlobStore(dir.resolve("blobs")));
    assertThat(again.list("alice"))
        .extracting(ImageRecord::id)
        .containsExactlyInAnyOrder(base.id(), step.id());
    assertThat(again.list("bob")).isEmpty();
    assertThat(again.find("alice", base.id())).isPresent();
    assertThat(again.find("bob", base.id())).isEmpty();
    assertThat(again.children("alice", base.id()))
        .extracting(ImageRecord::id)
        .containsExactly(step.id());
    again.disown("alice", base.id());
    assertThat(again.held(base.id())).isFalse();
    assertThat(again.held(step.id())).isTrue();
  }

  @Test
  void workFilesLeftInScratch_areRemovedAtStart() throws Exception {
    Path scratch = Files.createDirectories(dir.resolve("scratch").resolve("build-1"));
    Files.writeString(scratch.resolve("Dockerfile"), "FROM x\n");
    Files.writeString(dir.resolve("scratch").resolve("load-2.tar"), "half");
    new ImageStore(dir, new BlobStore(dir.resolve("blobs")));
    try (var left = Files.list(dir.resolve("scratch"))) {
      assertThat(left).isEmpty();
    }
  }

  @Test
  void anImageCopiedFromAnotherFrontEnd_isAddedWithoutAnOwner_thenOwnedAsTheCopySays()
      throws Exception {
    ImageStore made = new ImageStore(dir.resolve("a"), new BlobStore(dir.resolve("a/blobs")));
    ImageRecord img =
        made.addMade("alice", Json.MAPPER.readTree("{\"config\":{}}"), List.of(), 0, "", null);
    ImageStore copy = new ImageStore(dir.resolve("b"), new BlobStore(dir.resolve("b/blobs")));
    copy.apply(new ImageStore.Change("add", null, img, img.id(), null));
    assertThat(copy.all()).extracting(ImageRecord::id).containsExactly(img.id());
    assertThat(copy.allOwned()).isEmpty();
    copy.apply(new ImageStore.Change("own", "alice", null, img.id(), null));
    assertThat(copy.list("alice")).extracting(ImageRecord::id).containsExactly(img.id());
    copy.apply(new ImageStore.Change("disown", "alice", null, img.id(), null));
    copy.apply(new ImageStore.Change("delete", null, null, img.id(), null));
    assertThat(copy.all()).isEmpty();
  }
}
