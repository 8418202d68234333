package org.sdcdocker.frontend.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
    AtomicInteger fetches = new AtomicInteger();
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    BlobStore.Fetch slow =
        () -> {
          fetches.incrementAndGet();
          started.countDown();
          try {
            release.await(10, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            throw new InterruptedIOException();
          }
          store.put(digest, data);
        };
    var pool = Executors.newFixedThreadPool(2);
    try {
      var first = pool.submit(() -> store.fetchOnce(digest, slow));
      assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
      var second = pool.submit(() -> store.fetchOnce(digest, slow));
      Thread.sleep(100); // the second is waiting for the first
      release.countDown();
      assertThat(first.get(10, TimeUnit.SECONDS)).isTrue();
      assertThat(second.get(10, TimeUnit.SECONDS)).isFalse();
      assertThat(fetches.get()).isEqualTo(1);
    } finally {
      pool.shutdownNow();
    }
  }
}
