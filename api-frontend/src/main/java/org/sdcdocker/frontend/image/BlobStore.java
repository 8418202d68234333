package org.sdcdocker.frontend.image;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.function.LongConsumer;
import org.sdcdocker.protocol.Digest;
import org.sdcdocker.protocol.DockerException;

/**
 * Blobs by digest. A blob is written to a temporary file, its digest checked, and only then renamed
 * into place: a file in the store is always whole and verified.
 */
public final class BlobStore {
  private final Path root;
  private final Path tmp;
  private final Map<String, CompletableFuture<Void>> inFlight = new ConcurrentHashMap<>();

  public BlobStore(Path root) throws IOException {
    this.root = root.resolve("sha256");
    this.tmp = root.resolve("tmp");
    Files.createDirectories(this.root);
    Files.createDirectories(tmp);
    try (var left = Files.list(tmp)) { // an interrupted pull left these; they are never trusted
      for (Path p : (Iterable<Path>) left::iterator) {
        Files.deleteIfExists(p);
      }
    }
  }

  /** A blob's fetch: what {@link #fetchOnce} runs. */
  public interface Fetch {
    /** Fetches and stores the blob. */
    void run() throws IOException;
  }

  /**
   * Runs the fetch of a blob unless another thread is fetching the same blob; then waits for that
   * one instead (and fetches after all if it failed). Whether this call did the fetching.
   */
  public boolean fetchOnce(String digest, Fetch fetch) throws IOException {
    for (int attempt = 0; attempt < 2; attempt++) {
      CompletableFuture<Void> mine = new CompletableFuture<>();
      CompletableFuture<Void> other = inFlight.putIfAbsent(digest, mine);
      if (other == null) {
        try {
          if (!has(digest)) {
            fetch.run();
          }
          mine.complete(null);
          return true;
        } catch (IOException | RuntimeException e) {
          mine.completeExceptionally(e);
          throw e;
        } finally {
          inFlight.remove(digest, mine);
        }
      }
      try {
        other.get();
      } catch (ExecutionException e) {
        continue; // its fetch failed: try ourselves
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("waiting for a fetch of " + digest);
      }
      if (has(digest)) {
        return false;
      }
    }
    fetch.run();
    return true;
  }

  public boolean has(String digest) {
    return Files.exists(path(digest));
  }

  /** The file of a stored blob. */
  public Path path(String digest) {
    if (!Digest.is(digest)) {
      throw DockerException.invalid("invalid digest: %s", digest);
    }
    return root.resolve(Digest.parse(digest).hex());
  }

  /** A sink for one blob; {@link Sink#commit()} verifies and stores it. */
  public Sink open(String digest) throws IOException {
    return new Sink(digest);
  }

  /** Stores bytes whose digest must be {@code digest}. */
  public void put(String digest, byte[] data) throws IOException {
    try (Sink s = open(digest)) {
      s.write(data, 0, data.length);
      s.commit();
    }
  }

  public byte[] read(String digest) throws IOException {
    return Files.readAllBytes(path(digest));
  }

  /** A blob being written. Closing without commit removes it. */
  public final class Sink implements AutoCloseable {
    private final String digest;
    private final Path file;
    private final OutputStream out;
    private final MessageDigest sha;
    private long written;
    private boolean committed;

    private Sink(String digest) throws IOException {
      this.digest = digest;
      path(digest);
      this.file = Files.createTempFile(tmp, digest.substring(7, 19), ".part");
      this.out = Files.newOutputStream(file);
      try {
        this.sha = MessageDigest.getInstance("SHA-256");
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
    }

    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
      sha.update(b, off, len);
      written += len;
    }

    /** Copies a stream in, calling progress with the bytes so far. */
    public void copy(InputStream in, LongConsumer progress) throws IOException {
      byte[] buf = new byte[1 << 16];
      int n;
      while ((n = in.read(buf)) > 0) {
        write(buf, 0, n);
        progress.accept(written);
      }
    }

    public void commit() throws IOException {
      out.close();
      String got = Digest.of(sha).toString();
      if (!got.equals(digest)) {
        throw DockerException.internal(
            "filesystem layer verification failed for digest %s", digest);
      }
      Files.move(
          file, path(digest), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      committed = true;
    }

    @Override
    public void close() throws IOException {
      out.close();
      if (!committed) {
        Files.deleteIfExists(file);
      }
    }
  }
}
