package org.sdcdocker.frontend.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BlobStoreTest {
  @TempDir Path dir;

  @Test
  void aBlobIsStoredOnlyWhenItsDigestMatches() throws Exception {
    BlobStore store = new BlobStore(dir);
    byte[] data = "hello".getBytes();
    String digest = RegistrySession.sha256(data);
    String wrong = RegistrySession.sha256("other".getBytes());
    assertThatThrownBy(() -> store.put(wrong, data)).hasMessageContaining("verification failed");
    assertThat(store.has(wrong)).isFalse();
    try (var tmp = Files.list(dir.resolve("tmp"))) {
      assertThat(tmp).isEmpty();
    }
    store.put(digest, data);
    assertThat(store.read(digest)).isEqualTo(data);
  }

  @Test
  void leftoversOfAnInterruptedPull_areRemovedAtStart() throws Exception {
    Files.createDirectories(dir.resolve("tmp"));
    Files.writeString(dir.resolve("tmp/abc.part"), "half");
    new BlobStore(dir);
    try (var tmp = Files.list(dir.resolve("tmp"))) {
      assertThat(tmp).isEmpty();
    }
  }
}
