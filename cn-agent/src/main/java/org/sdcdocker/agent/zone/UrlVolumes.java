package org.sdcdocker.agent.zone;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import org.sdcdocker.protocol.DockerException;
import org.sdcdocker.protocol.agent.VolumeRecords.MountSpec;

/**
 * The original's host volumes: a single file fetched from an http(s) URL when the zone is created,
 * mounted read-only; the path in the zone may not go through a symlink.
 */
final class UrlVolumes {
  private static final long MAX_BYTES = 64L << 20;
  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .followRedirects(HttpClient.Redirect.NORMAL)
          .connectTimeout(Duration.ofSeconds(10))
          .build();

  private UrlVolumes() {}

  /** Where a zone keeps the file of a URL volume. */
  static Path fileOf(ZonePaths p, MountSpec m) {
    return p.dir().resolve("urlvols").resolve(Integer.toHexString(m.target().hashCode()));
  }

  static void fetch(ZonePaths p, MountSpec m) throws IOException {
    Path file = fileOf(p, m);
    Files.createDirectories(file.getParent());
    try {
      HttpResponse<InputStream> r =
          HTTP.send(
              HttpRequest.newBuilder(URI.create(m.source()))
                  .timeout(Duration.ofSeconds(60))
                  .build(),
              HttpResponse.BodyHandlers.ofInputStream());
      try (InputStream in = r.body()) {
        if (r.statusCode() != 200) {
          throw DockerException.invalid(
              "fetching host volume %s: the server answered %d", m.source(), r.statusCode());
        }
        long n =
            Files.copy(
                new BufferedInputStream(in) {
                  private long read;

                  @Override
                  public synchronized int read(byte[] b, int off, int len) throws IOException {
                    int k = super.read(b, off, len);
                    read += Math.max(k, 0);
                    if (read > MAX_BYTES) {
                      throw new IOException("larger than " + (MAX_BYTES >> 20) + " MiB");
                    }
                    return k;
                  }
                },
                file,
                StandardCopyOption.REPLACE_EXISTING);
        file.toFile().setReadOnly();
        assert n >= 0;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw DockerException.internal("interrupted fetching %s", m.source());
    } catch (IOException | IllegalArgumentException e) {
      throw DockerException.invalid("fetching host volume %s: %s", m.source(), e.getMessage());
    }
  }

  /** Refuses a target whose path in the zone goes through a symlink. */
  static void checkTarget(Path rootfs, MountSpec m) throws IOException {
    Path lexical = rootfs;
    for (String part : m.target().split("/")) {
      if (!part.isEmpty()) {
        lexical = lexical.resolve(part);
      }
    }
    if (!InRoot.resolve(rootfs, m.target()).equals(lexical) || Files.isSymbolicLink(lexical)) {
      throw DockerException.invalid(
          "the container path of a host volume must not contain symlinks: %s", m.target());
    }
  }
}
