package org.sdcdocker.frontend.image;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.HexFormat;

/** Content digests as the image service names blobs: {@code sha256:<hex>}. */
final class Digests {
  private Digests() {}

  static String of(byte[] data) {
    return "sha256:" + HexFormat.of().formatHex(sha256().digest(data));
  }

  /** The digest of a whole stream, which is read to its end and closed. */
  static String of(InputStream raw) throws IOException {
    try (DigestInputStream in = new DigestInputStream(raw, sha256())) {
      in.transferTo(OutputStream.nullOutputStream());
      return "sha256:" + HexFormat.of().formatHex(in.getMessageDigest().digest());
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
