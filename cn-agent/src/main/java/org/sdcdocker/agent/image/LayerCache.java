package org.sdcdocker.agent.image;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import org.sdcdocker.bus.Tls;
import org.sdcdocker.protocol.Digest;
import org.sdcdocker.protocol.DockerException;
import org.sdcdocker.protocol.ErrorKind;
import org.sdcdocker.protocol.agent.LayerRef;

/**
 * Unpacked image layers of this compute node, one directory per layer blob digest. A layer is
 * fetched from the image service, unpacked while its digest is computed, and moved into place only
 * when the digest matches: a directory in the cache is always whole.
 */
public final class LayerCache {
  private final Path root;
  private final HttpClient http;
  private final RootUntar untar;
  private final ConcurrentHashMap<String, Object> locks = new ConcurrentHashMap<>();

  public LayerCache(Path root, RootUntar untar) throws IOException {
    this(root, untar, null);
  }

  /** The same; with {@code tls}, layers come over TLS, this member's certificate shown. */
  public LayerCache(Path root, RootUntar untar, Tls tls) throws IOException {
    this.root = root;
    this.untar = untar;
    Files.createDirectories(root);
    Path tmp = root.resolve("tmp");
    Trees.delete(tmp); // leftovers of an interrupted unpack are never trusted
    Files.createDirectories(tmp);
    // HTTP/1.1 only: the JDK client otherwise asks plain-http servers to upgrade to h2c
    HttpClient.Builder b =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10));
    if (tls != null) {
      b.sslContext(tls.sslContext());
    }
    this.http = b.build();
  }

  /** The directory of a layer, unpacked first when missing. Blocking: call off the event loop. */
  public Path ensure(LayerRef layer, String blobSource) {
    String hex = hexOf(layer.digest());
    Path dir = root.resolve(hex);
    if (Files.isDirectory(dir)) {
      return dir;
    }
    synchronized (locks.computeIfAbsent(hex, k -> new Object())) {
      for (int attempt = 1; !Files.isDirectory(dir); attempt++) {
        try {
          fetch(layer, blobSource, dir);
        } catch (DockerException e) {
          if (attempt == 3 || e.kind() != ErrorKind.INTERNAL || e.getMessage().contains("digest")) {
            throw e; // a digest mismatch is not worth another try; a cut connection is
          }
        }
      }
      return dir;
    }
  }

  private void fetch(LayerRef layer, String blobSource, Path dir) {
    Path tmp = root.resolve("tmp").resolve(dir.getFileName() + "-" + System.nanoTime());
    try {
      Files.createDirectory(tmp);
      HttpRequest req =
          HttpRequest.newBuilder(URI.create(blobSource + "/blobs/" + layer.digest())).build();
      HttpResponse<InputStream> resp = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
      if (resp.statusCode() != 200) {
        resp.body().close();
        throw DockerException.unavailable(
            "fetching layer %s: image service answered %d", layer.digest(), resp.statusCode());
      }
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      try (InputStream body = new DigestInputStream(resp.body(), sha)) {
        LayerUnpacker.unpack(body, tmp, untar);
        body.transferTo(OutputStream.nullOutputStream()); // tar padding counts too
      }
      String got = Digest.of(sha).toString();
      if (!got.equals(layer.digest())) {
        throw DockerException.internal("layer %s: digest mismatch (got %s)", layer.digest(), got);
      }
      Files.move(tmp, dir);
    } catch (DockerException e) {
      if (e.getMessage().startsWith("layer ") || e.getMessage().startsWith("fetching layer")) {
        throw e;
      }
      throw new DockerException(
          e.kind(), "unpacking layer " + layer.digest() + ": " + e.getMessage());
    } catch (IOException e) {
      throw DockerException.internal("unpacking layer %s: %s", layer.digest(), e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw DockerException.internal("unpacking layer %s: interrupted", layer.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    } finally {
      try {
        Trees.delete(tmp);
      } catch (IOException ignored) {
        // the next start of the cache removes it
      }
    }
  }

  static String hexOf(String digest) {
    if (!Digest.is(digest)) {
      throw DockerException.invalid("invalid layer digest: %s", digest);
    }
    return Digest.parse(digest).hex();
  }
}
