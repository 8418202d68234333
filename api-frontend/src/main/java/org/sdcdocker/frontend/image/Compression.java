package org.sdcdocker.frontend.image;

import io.airlift.compress.zstd.ZstdInputStream;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;

/**
 * Layers and archives as the image service meets them: gzip, zstd, bzip2 or plain, told by their
 * first bytes.
 */
public final class Compression {
  private Compression() {}

  /** The stream decompressed when it starts as gzip, zstd or bzip2; as it is otherwise. */
  public static InputStream decompressed(InputStream raw) throws IOException {
    BufferedInputStream in =
        raw instanceof BufferedInputStream b ? b : new BufferedInputStream(raw, 1 << 16);
    in.mark(4);
    byte[] h = in.readNBytes(4);
    in.reset();
    if (h.length >= 2 && (h[0] & 0xff) == 0x1f && (h[1] & 0xff) == 0x8b) {
      return new BufferedInputStream(new GZIPInputStream(in, 1 << 16), 1 << 16);
    }
    if (h.length == 4
        && (h[0] & 0xff) == 0x28
        && (h[1] & 0xff) == 0xb5
        && (h[2] & 0xff) == 0x2f
        && (h[3] & 0xff) == 0xfd) {
      return new BufferedInputStream(new ZstdInputStream(in), 1 << 16);
    }
    if (h.length >= 3 && h[0] == 'B' && h[1] == 'Z' && h[2] == 'h') {
      return new BufferedInputStream(new BZip2CompressorInputStream(in), 1 << 16);
    }
    return in;
  }

  /** Whether a file is compressed (gzip, zstd or bzip2). */
  public static boolean compressed(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      byte[] h = in.readNBytes(4);
      return h.length >= 2 && (h[0] & 0xff) == 0x1f && (h[1] & 0xff) == 0x8b
          || h.length == 4
              && (h[0] & 0xff) == 0x28
              && (h[1] & 0xff) == 0xb5
              && (h[2] & 0xff) == 0x2f
              && (h[3] & 0xff) == 0xfd
          || h.length >= 3 && h[0] == 'B' && h[1] == 'Z' && h[2] == 'h';
    }
  }
}
