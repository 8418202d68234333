package org.sdcdocker.agent.zone;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import org.sdcdocker.agent.image.RootUntar;
import org.sdcdocker.protocol.DockerException;
import org.sdcdocker.protocol.agent.AgentRequests.PathStat;

/** {@code docker cp}: stat, read as tar, extract a tar, for a path inside a zone's root. */
public final class ArchiveOps {
  private ArchiveOps() {}

  /** The path's stat as Docker's header carries it (mode in Go's FileMode bits). */
  public static PathStat stat(Path root, String path) throws IOException {
    return stat(root, path, null);
  }

  /** The same, naming a mount point by its name in the zone rather than its directory's. */
  public static PathStat stat(Path root, String path, String name) throws IOException {
    Path p = InRoot.resolve(root, path);
    if (!InRoot.exists(p)) {
      throw DockerException.notFound("Could not find the file %s in container", path);
    }
    notADirectory(root, path);
    Map<String, Object> a =
        Files.readAttributes(p, "unix:mode,size,lastModifiedTime", LinkOption.NOFOLLOW_LINKS);
    int mode = (int) a.get("mode");
    long goMode = mode & 0777;
    switch (mode & 0170000) {
      case 0040000 -> goMode |= 1L << 31;
      case 0120000 -> goMode |= 1L << 27;
      case 0020000 -> goMode |= (1L << 26) | (1L << 21);
      case 0060000 -> goMode |= 1L << 26;
      case 0010000 -> goMode |= 1L << 25;
      case 0140000 -> goMode |= 1L << 24;
      default -> {}
    }
    if ((mode & 04000) != 0) {
      goMode |= 1L << 23;
    }
    if ((mode & 02000) != 0) {
      goMode |= 1L << 22;
    }
    if ((mode & 01000) != 0) {
      goMode |= 1L << 20;
    }
    String link = (mode & 0170000) == 0120000 ? Files.readSymbolicLink(p).toString() : "";
    String shown = p.equals(root) ? (name == null ? "/" : name) : p.getFileName().toString();
    return new PathStat(
        shown,
        (long) a.get("size"),
        goMode,
        ((FileTime) a.get("lastModifiedTime")).toInstant().toString(),
        link);
  }

  /** The path as a tar, its entries named under its own base name. */
  public static void read(Path root, String path, OutputStream out) throws IOException {
    read(root, path, null, out);
  }

  /** The same, naming a mount point's entries by its name in the zone. */
  public static void read(Path root, String path, String name, OutputStream out)
      throws IOException {
    Path p = InRoot.resolve(root, path);
    if (!InRoot.exists(p)) {
      throw DockerException.notFound("Could not find the file %s in container", path);
    }
    notADirectory(root, path);
    String base =
        p.equals(root)
            ? (name == null || name.equals("/") ? "." : name)
            : p.getFileName().toString();
    RootfsTar.write(p, base, out);
  }

  /**
   * Extracts a tar into the directory {@code path} of {@code root} (inside a chroot, see {@link
   * RootUntar}); owners kept only with {@code keepOwners}.
   */
  public static void extract(
      RootUntar untar, Path root, String path, InputStream in, boolean keepOwners)
      throws IOException {
    untar.extract(
        root,
        path.isEmpty() ? "/" : path,
        in,
        keepOwners ? RootUntar.Mode.COPY_OWNERS : RootUntar.Mode.COPY);
  }

  /** As Docker's: a path written with a trailing slash must be a directory. */
  private static void notADirectory(Path root, String path) throws IOException {
    // "dir/." follows a link named dir inside the root, as the trailing slash asks
    if (path.length() > 1
        && path.endsWith("/")
        && !Files.isDirectory(InRoot.resolve(root, path + "."), LinkOption.NOFOLLOW_LINKS)) {
      throw DockerException.invalid("cannot stat %s: not a directory", path);
    }
  }
}
