package org.sdcdocker.agent.image;

import io.airlift.compress.zstd.ZstdInputStream;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Unpacks one image layer (a tar: plain, gzip or zstd) into a directory that overlayfs can use as a
 * lower layer, through {@link RootUntar}: Docker's {@code .wh.NAME} whiteouts become 0/0 character
 * devices and {@code .wh..wh..opq} the opaque xattr on its directory; owners, modes and times are
 * kept; no entry, symlink or hard link reaches outside the directory.
 */
final class LayerUnpacker {
  private LayerUnpacker() {}

  /**
   * Unpacks a layer (plain, gzip or zstd tar) read from {@code raw} into {@code dest}, existing and
   * empty.
   */
  static void unpack(InputStream raw, Path dest, RootUntar untar) throws IOException {
    untar.extract(dest, "/", decompressed(raw), RootUntar.Mode.LAYER);
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
      return new BufferedInputStream(new ZstdInputStream(in), 1 << 16);
    }
    return in;
  }
}
