package org.sdcdocker.agent.zone;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.sdcdocker.agent.sys.FileNative;
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
    Map<String, Object> a = Files.readAttributes(p, "unix:mode,size,lastModifiedTime", LinkOption.NOFOLLOW_LINKS);
    int mode = (int) a.get("mode");
    long goMode = mode & 0777;
    switch (mode & 0170000) {
      case 0040000 -> goMode |= 1L << 31;
      case 0120000 -> goMode |= 1L << 27;
      case 0020000 -> goMode |= (1L << 26) | (1L << 21);
      case 0060000 -> goMode |= 1L << 26;
      case 0010000 -> goMode |= 1L << 25;
      case 0140000 -> goMode |= 1L << 24;
      default -> { }
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
    return new PathStat(shown, (long) a.get("size"), goMode,
        ((FileTime) a.get("lastModifiedTime")).toInstant().toString(), link);
  }

  /** The path as a tar, its entries named under its own base name. */
  public static void read(Path root, String path, OutputStream out) throws IOException {
    read(root, path, null, out);
  }

  /** The same, naming a mount point's entries by its name in the zone. */
  public static void read(Path root, String path, String name, OutputStream out) throws IOException {
    Path p = InRoot.resolve(root, path);
    if (!InRoot.exists(p)) {
      throw DockerException.notFound("Could not find the file %s in container", path);
    }
    String base = p.equals(root) ? (name == null || name.equals("/") ? "." : name) : p.getFileName().toString();
    RootfsTar.write(p, base, out);
  }

  /** Extracts a tar into the directory {@code path}; owners kept only with {@code keepOwners}. */
  public static void extract(Path root, String path, InputStream in, boolean keepOwners) throws IOException {
    Path dest = InRoot.resolve(root, path);
    if (!Files.isDirectory(dest, LinkOption.NOFOLLOW_LINKS)) {
      if (!InRoot.exists(dest)) {
        throw DockerException.notFound("Could not find the file %s in container", path);
      }
      throw DockerException.invalid("extraction point is not a directory");
    }
    String rel = root.relativize(dest).toString();
    TarArchiveInputStream tar = new TarArchiveInputStream(in);
    TarArchiveEntry e;
    while ((e = tar.getNextEntry()) != null) {
      String name = e.getName();
      // each entry is resolved inside the root: links in the zone cannot lead it out
      Path target = InRoot.resolve(root, "/" + rel + "/" + name);
      if (target.equals(root) || !target.startsWith(root)) {
        continue; // the root itself (an entry "./") or, impossibly, outside it
      }
      Files.createDirectories(target.getParent());
      if (e.isDirectory()) {
        if (!Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
          Files.deleteIfExists(target);
          Files.createDirectory(target);
        }
      } else if (e.isSymbolicLink()) {
        Files.deleteIfExists(target);
        Files.createSymbolicLink(target, Path.of(e.getLinkName()));
      } else if (e.isFile()) {
        if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
          throw DockerException.invalid("cannot overwrite directory %s with non-directory", name);
        }
        Files.deleteIfExists(target);
        Files.copy(tar, target, StandardCopyOption.REPLACE_EXISTING);
      } else {
        continue; // devices, fifos and hard links are not extracted by cp
      }
      FileNative.lchown(target.toString(), keepOwners ? (int) e.getLongUserId() : 0,
          keepOwners ? (int) e.getLongGroupId() : 0);
      if (!e.isSymbolicLink()) {
        FileNative.chmod(target.toString(), e.getMode());
        Files.setLastModifiedTime(target, FileTime.from(e.getModTime().toInstant()));
      }
    }
  }
}
