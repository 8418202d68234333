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

  @Test
  void concurrentFetchesOfOneBlob_fetchItOnce() throws Exception {
    BlobStore store = new BlobStore(dir);
    byte[] data = "shared layer".getBytes();
    String digest = RegistrySession.sha256(data);
    java.util.concurrent.atomic.AtomicInteger fetches = new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    BlobStore.Fetch slow = () -> {
      fetches.incrementAndGet();
      started.countDown();
      try {
        release.await(10, java.util.concurrent.TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        throw new java.io.InterruptedIOException();
      }
      store.put(digest, data);
    };
    var pool = java.util.concurrent.Executors.newFixedThreadPool(2);
    try {
      var first = pool.submit(() -> store.fetchOnce(digest, slow));
      assertThat(started.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
      var second = pool.submit(() -> store.fetchOnce(digest, slow));
      Thread.sleep(100); // the second is waiting for the first
      release.countDown();
      assertThat(first.get(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
      assertThat(second.get(10, java.util.concurrent.TimeUnit.SECONDS)).isFalse();
      assertThat(fetches.get()).isEqualTo(1);
    } finally {
      pool.shutdownNow();
    }
  }
}
