package org.sdcdocker.agent.image;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.sdcdocker.agent.sys.FileNative;

/**
 * Unpacks one image layer (a tar: plain, gzip or zstd) into a directory that overlayfs can use as a
 * lower layer: Docker's {@code .wh.NAME} whiteouts become 0/0 character devices and {@code
 * .wh..wh..opq} becomes the opaque xattr on its directory. Ownership, modes and times are kept;
 * no entry may write outside the directory.
 */
final class LayerUnpacker {
  private static final String WHITEOUT = ".wh.";
  private static final String OPAQUE = ".wh..wh..opq";
  private static final int S_IFCHR = 0020000;
  private static final int S_IFBLK = 0060000;
  private static final int S_IFIFO = 0010000;

  private LayerUnpacker() {}

  /** Unpacks a layer (plain, gzip or zstd tar) read from {@code raw} into {@code dest}, existing and empty. */
  static void unpack(InputStream raw, Path dest) throws IOException {
    InputStream in = decompressed(raw);
    TarArchiveInputStream tar = new TarArchiveInputStream(in);
    {
      List<TarArchiveEntry> dirs = new ArrayList<>();
      TarArchiveEntry e;
      while ((e = tar.getNextEntry()) != null) {
        Path target = resolve(dest, e.getName());
        if (target == null) {
          continue;
        }
        String base = target.getFileName().toString();
        if (base.equals(OPAQUE)) {
          Files.createDirectories(target.getParent());
          FileNative.lsetxattr(target.getParent().toString(), "trusted.overlay.opaque", new byte[] {'y'});
        } else if (base.startsWith(WHITEOUT)) {
          Path hidden = target.resolveSibling(base.substring(WHITEOUT.length()));
          Files.createDirectories(hidden.getParent());
          removeExisting(hidden);
          FileNative.mknod(hidden.toString(), S_IFCHR, 0, 0);
        } else {
          write(tar, e, target, dest);
          if (e.isDirectory()) {
            dirs.add(e);
          }
        }
      }
      // Directory times last: writing their children changed them.
      for (TarArchiveEntry d : dirs) {
        Path p = resolve(dest, d.getName());
        Files.setLastModifiedTime(p, FileTime.from(d.getModTime().toInstant()));
      }
    }
  }

  private static InputStream decompressed(InputStream raw) throws IOException {
    InputStream in = new BufferedInputStream(raw, 1 << 16);
    in.mark(4);
    int b0 = in.read();
    int b1 = in.read();
    in.reset();
    if (b0 == 0x1f && b1 == 0x8b) {
      return new GZIPInputStream(in, 1 << 16);
    }
    if (b0 == 0x28 && b1 == 0xb5) { // zstd's magic 28 b5 2f fd
      return new BufferedInputStream(new io.airlift.compress.zstd.ZstdInputStream(in), 1 << 16);
    }
    return in;
  }

  /** The entry's path under dest, or null for the root itself; refuses escapes. */
  static Path resolve(Path dest, String name) throws IOException {
    Path p = dest;
    for (String part : name.split("/")) {
      if (part.isEmpty() || part.equals(".")) {
        continue;
      }
      if (part.equals("..")) {
        throw new IOException("layer entry escapes the layer: " + name);
      }
      p = p.resolve(part);
    }
    return p.equals(dest) ? null : p;
  }

  private static void write(TarArchiveInputStream tar, TarArchiveEntry e, Path target, Path dest)
      throws IOException {
    Files.createDirectories(target.getParent());
    if (e.isDirectory()) {
      if (!Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
        removeExisting(target);
        Files.createDirectory(target);
      }
    } else {
      removeExisting(target);
      if (e.isSymbolicLink()) {
        Files.createSymbolicLink(target, Path.of(e.getLinkName()));
      } else if (e.isLink()) {
        Path src = resolve(dest, e.getLinkName());
        if (src == null) {
          throw new IOException("hard link to the layer root: " + e.getName());
        }
        Files.createLink(target, src);
        return;
      } else if (e.isCharacterDevice() || e.isBlockDevice() || e.isFIFO()) {
        int type = e.isCharacterDevice() ? S_IFCHR : e.isBlockDevice() ? S_IFBLK : S_IFIFO;
        FileNative.mknod(target.toString(), type | (e.getMode() & 07777), e.getDevMajor(), e.getDevMinor());
      } else {
        Files.copy(tar, target, StandardCopyOption.REPLACE_EXISTING);
      }
    }
    FileNative.lchown(target.toString(), (int) e.getLongUserId(), (int) e.getLongGroupId());
    if (!e.isSymbolicLink()) {
      FileNative.chmod(target.toString(), e.getMode());
      if (!e.isDirectory()) {
        Files.setLastModifiedTime(target, FileTime.from(e.getModTime().toInstant()));
      }
    }
  }

  private static void removeExisting(Path p) throws IOException {
    if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
      Trees.delete(p);
    } else {
      Files.deleteIfExists(p);
    }
  }
}
