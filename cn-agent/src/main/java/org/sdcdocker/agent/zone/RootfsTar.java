package org.sdcdocker.agent.zone;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * A tree of a zone's filesystem written as a tar stream, ownership and modes kept, links not
 * followed.
 */
public final class RootfsTar {
  private RootfsTar() {}

  /**
   * Writes {@code source} as tar entries named under {@code prefix} ("" for the root's children).
   */
  public static void write(Path source, String prefix, OutputStream out) throws IOException {
    TarArchiveOutputStream tar = new TarArchiveOutputStream(out);
    tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
    tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
    if (!Files.isDirectory(source, LinkOption.NOFOLLOW_LINKS)) {
      entry(tar, source, prefix);
      tar.finish();
      return;
    }
    Files.walkFileTree(
        source,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs)
              throws IOException {
            String rel = source.relativize(dir).toString();
            String name = join(prefix, rel);
            if (!name.isEmpty()) {
              entry(tar, dir, name + "/");
            }
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            entry(tar, file, join(prefix, source.relativize(file).toString()));
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFileFailed(Path file, IOException exc) {
            return FileVisitResult.CONTINUE; // vanished while we walked: a running zone changes
          }
        });
    tar.finish();
  }

  private static String join(String prefix, String rel) {
    if (prefix.isEmpty()) {
      return rel;
    }
    return rel.isEmpty() ? prefix : prefix + "/" + rel;
  }

  private static void entry(TarArchiveOutputStream tar, Path file, String name) throws IOException {
    Map<String, Object> a =
        Files.readAttributes(
            file, "unix:mode,uid,gid,size,lastModifiedTime", LinkOption.NOFOLLOW_LINKS);
    int mode = (int) a.get("mode");
    int type = mode & 0170000;
    TarArchiveEntry e;
    if (type == 0120000) {
      e = new TarArchiveEntry(name, TarArchiveEntry.LF_SYMLINK);
      e.setLinkName(Files.readSymbolicLink(file).toString());
    } else if (type == 0040000) {
      e = new TarArchiveEntry(name.endsWith("/") ? name : name + "/");
    } else if (type == 0100000) {
      e = new TarArchiveEntry(name);
      e.setSize((long) a.get("size"));
    } else {
      return; // sockets, fifos and devices of a running zone are not copied
    }
    e.setMode(mode);
    e.setUserId((int) a.get("uid"));
    e.setGroupId((int) a.get("gid"));
    e.setModTime(((FileTime) a.get("lastModifiedTime")).toMillis());
    tar.putArchiveEntry(e);
    if (type == 0100000) {
      try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
        in.transferTo(tar);
      }
    }
    tar.closeArchiveEntry();
  }
}
