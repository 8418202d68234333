package org.sdcdocker.agent.zone;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.sdcdocker.protocol.DockerException;
import org.sdcdocker.protocol.agent.VolumeRecords.MountSpec;

/**
 * The original's host volumes: a single file fetched from an http(s) URL when the zone is created
 * (only from addresses {@link UrlPolicy} allows), mounted read-only; the path in the zone may not
 * go through a symlink.
 */
final class UrlVolumes {
  private static final long MAX_BYTES = 64L << 20;
  private static final long TIMEOUT_MS = 60_000;

  private UrlVolumes() {}

  /** Where a zone keeps the file of a URL volume. */
  static Path fileOf(ZonePaths p, MountSpec m) {
    return p.dir().resolve("urlvols").resolve(Integer.toHexString(m.target().hashCode()));
  }

  /** Fetches the volume's file (64 MiB at most, within 60 s) from where {@code policy} allows. */
  static void fetch(ZonePaths p, MountSpec m, UrlPolicy policy) throws IOException {
    Path file = fileOf(p, m);
    Files.createDirectories(file.getParent());
    try {
      new UrlFetch(policy, MAX_BYTES, TIMEOUT_MS).fetch(m.source(), file);
    } catch (IOException e) {
      throw DockerException.invalid("fetching host volume %s: %s", m.source(), e.getMessage());
    }
    file.toFile().setReadOnly();
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
