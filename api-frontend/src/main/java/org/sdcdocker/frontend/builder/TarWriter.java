package org.sdcdocker.frontend.builder;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/** The tar a COPY step extracts into its container: entries with their owners, modes and times. */
final class TarWriter implements AutoCloseable {
  private final TarArchiveOutputStream tar;

  TarWriter(OutputStream out) {
    this.tar = new TarArchiveOutputStream(out);
    tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
    tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
  }

  /** One entry: kind 'd', 'f' or 'l'. */
  void entry(
      String name, char kind, int mode, int uid, int gid, FileTime mtime, String link, Path data)
      throws IOException {
    TarArchiveEntry e =
        switch (kind) {
          case 'd' -> new TarArchiveEntry(name + "/");
          case 'l' -> {
            TarArchiveEntry l = new TarArchiveEntry(name, TarConstants.LF_SYMLINK);
            l.setLinkName(link);
            yield l;
          }
          default -> new TarArchiveEntry(name);
        };
    e.setMode((kind == 'd' ? 040000 : kind == 'l' ? 0120000 : 0100000) | (mode & 07777));
    e.setIds(uid, gid);
    e.setModTime(mtime);
    if (kind == 'f') {
      e.setSize(Files.size(data));
    }
    tar.putArchiveEntry(e);
    if (kind == 'f') {
      Files.copy(data, tar);
    }
    tar.closeArchiveEntry();
  }

  @Override
  public void close() throws IOException {
    tar.finish();
    tar.close();
  }
}
