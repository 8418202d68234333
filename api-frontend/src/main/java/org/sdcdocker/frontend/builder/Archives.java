package org.sdcdocker.frontend.builder;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;
import org.sdcdocker.frontend.image.Compression;

/** Tar streams as a build meets them: compressed or not, recognised by their first bytes. */
final class Archives {
  private Archives() {}

  /** The stream decompressed when it starts as gzip, zstd or bzip2; as it is otherwise. */
  static InputStream decompressed(BufferedInputStream in) throws IOException {
    return Compression.decompressed(in);
  }

  /**
   * Whether a file is a tar archive (plain, gzip or bzip2): what ADD unpacks instead of copying.
   */
  static boolean isTar(Path file) {
    if (!Files.isRegularFile(file)) {
      return false;
    }
    try (InputStream in = decompressed(new BufferedInputStream(Files.newInputStream(file)))) {
      byte[] header = in.readNBytes(512);
      return header.length == 512
          && new String(header, 257, 5, StandardCharsets.US_ASCII).equals("ustar");
    } catch (IOException e) {
      return false;
    }
  }

  /** Sets the nine permission bits of a path (set-id bits are not kept in the context). */
  static void setMode(Path p, int mode) throws IOException {
    Set<PosixFilePermission> perms = EnumSet.noneOf(PosixFilePermission.class);
    PosixFilePermission[] order = {
      PosixFilePermission.OTHERS_EXECUTE,
      PosixFilePermission.OTHERS_WRITE,
      PosixFilePermission.OTHERS_READ,
      PosixFilePermission.GROUP_EXECUTE,
      PosixFilePermission.GROUP_WRITE,
      PosixFilePermission.GROUP_READ,
      PosixFilePermission.OWNER_EXECUTE,
      PosixFilePermission.OWNER_WRITE,
      PosixFilePermission.OWNER_READ
    };
    for (int i = 0; i < order.length; i++) {
      if ((mode & (1 << i)) != 0) {
        perms.add(order[i]);
      }
    }
    Files.setPosixFilePermissions(p, perms);
  }

  /** The nine permission bits of a path. */
  static int mode(Path p) throws IOException {
    int m = 0;
    for (PosixFilePermission x : Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS)) {
      m |=
          switch (x) {
            case OWNER_READ -> 0400;
            case OWNER_WRITE -> 0200;
            case OWNER_EXECUTE -> 0100;
            case GROUP_READ -> 040;
            case GROUP_WRITE -> 020;
            case GROUP_EXECUTE -> 010;
            case OTHERS_READ -> 04;
            case OTHERS_WRITE -> 02;
            case OTHERS_EXECUTE -> 01;
          };
    }
    return m;
  }
}
