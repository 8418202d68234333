package org.sdcdocker.agent.zone;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Set;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.sdcdocker.agent.sys.FileNative;
import org.sdcdocker.protocol.Digest;

/**
 * A zone's changes as an image layer (docker commit): its overlay upper directory as a gzipped tar,
 * overlay whiteouts turned into Docker's ({@code .wh.NAME}, {@code .wh..wh..opq} for an opaque
 * directory), without what the agent put there and without the volumes' mount points.
 */
final class LayerWriter {
  /** The layer's blob digest (of the gzip), its diff id (of the tar) and its size in bytes. */
  record Written(String digest, String diffId, long size) {}

  private LayerWriter() {}

  static Written write(Path upper, Set<String> excluded, Path out) throws IOException {
    MessageDigest gz = sha256();
    MessageDigest plain = sha256();
    try (OutputStream file = Files.newOutputStream(out);
        DigestOutputStream gzDigest = new DigestOutputStream(file, gz);
        GZIPOutputStream gzip = new GZIPOutputStream(gzDigest, 1 << 16);
        DigestOutputStream plainDigest = new DigestOutputStream(gzip, plain);
        TarArchiveOutputStream tar = new TarArchiveOutputStream(plainDigest)) {
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
      Files.walkFileTree(
          upper,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs)
                throws IOException {
              if (dir.equals(upper)) {
                return FileVisitResult.CONTINUE;
              }
              String rel = upper.relativize(dir).toString();
              if (excluded.contains("/" + rel)) {
                return FileVisitResult.SKIP_SUBTREE;
              }
              TarArchiveEntry e = entry(dir, rel + "/", TarArchiveEntry.LF_DIR);
              tar.putArchiveEntry(e);
              tar.closeArchiveEntry();
              byte[] opaque = FileNative.lgetxattr(dir.toString(), "trusted.overlay.opaque");
              if (opaque != null && opaque.length > 0 && opaque[0] == 'y') {
                empty(tar, rel + "/.wh..wh..opq");
              }
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) throws IOException {
              String rel = upper.relativize(f).toString();
              if (excluded.contains("/" + rel)) {
                return FileVisitResult.CONTINUE;
              }
              int mode = (int) Files.getAttribute(f, "unix:mode", LinkOption.NOFOLLOW_LINKS);
              int type = mode & 0170000;
              if (type == 0020000
                  && (long) Files.getAttribute(f, "unix:rdev", LinkOption.NOFOLLOW_LINKS) == 0) {
                Path name = f.getFileName();
                Path parent = Path.of(rel).getParent();
                empty(
                    tar,
                    (parent == null ? "" : parent + "/") + ".wh." + name); // deleted in the zone
                return FileVisitResult.CONTINUE;
              }
              if (type == 0120000) {
                TarArchiveEntry e = entry(f, rel, TarArchiveEntry.LF_SYMLINK);
                e.setLinkName(Files.readSymbolicLink(f).toString());
                tar.putArchiveEntry(e);
                tar.closeArchiveEntry();
              } else if (type == 0100000) {
                TarArchiveEntry e = entry(f, rel, TarArchiveEntry.LF_NORMAL);
                e.setSize(Files.size(f));
                tar.putArchiveEntry(e);
                Files.copy(f, tar);
                tar.closeArchiveEntry();
              } // devices, fifos and sockets a zone made are not part of its image, as with cp
              return FileVisitResult.CONTINUE;
            }
          });
      tar.finish();
    }
    return new Written(Digest.of(gz).toString(), Digest.of(plain).toString(), Files.size(out));
  }

  private static TarArchiveEntry entry(Path p, String name, byte type) throws IOException {
    TarArchiveEntry e = new TarArchiveEntry(name, type);
    e.setMode((int) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777);
    e.setIds(
        (int) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS),
        (int) Files.getAttribute(p, "unix:gid", LinkOption.NOFOLLOW_LINKS));
    e.setModTime(Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS).toMillis());
    return e;
  }

  private static void empty(TarArchiveOutputStream tar, String name) throws IOException {
    TarArchiveEntry e = new TarArchiveEntry(name);
    e.setSize(0);
    e.setMode(0644);
    tar.putArchiveEntry(e);
    tar.closeArchiveEntry();
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
