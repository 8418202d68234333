package org.sdcdocker.protocol;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * A content digest as images name blobs, layers and configs: {@code sha256:} and 64 lowercase hex
 * digits. Made only from a hash or from text that has that form, so its hex is safe as a file name.
 */
public record Digest(String hex) {
  private static final Pattern FORM = Pattern.compile("sha256:[0-9a-f]{64}");
  private static final Pattern HEX = Pattern.compile("[0-9a-f]{64}");

  public Digest {
    if (hex == null || !HEX.matcher(hex).matches()) {
      throw DockerException.invalid("invalid checksum digest format");
    }
  }

  /** The digest a text names; 400 when it has not the form {@code sha256:<64 hex>}. */
  public static Digest parse(String text) {
    if (!is(text)) {
      throw DockerException.invalid("invalid checksum digest format");
    }
    return new Digest(text.substring(7));
  }

  /** Whether the text has a digest's form. */
  public static boolean is(String text) {
    return text != null && FORM.matcher(text).matches();
  }

  /** The digest of bytes. */
  public static Digest of(byte[] data) {
    return fromHash(sha256().digest(data));
  }

  /** The digest of a whole stream, which is read to its end and closed. */
  public static Digest of(InputStream raw) throws IOException {
    try (DigestInputStream in = new DigestInputStream(raw, sha256())) {
      in.transferTo(OutputStream.nullOutputStream());
      return fromHash(in.getMessageDigest().digest());
    }
  }

  /** The digest of what a SHA-256 {@link MessageDigest} has read (it is reset). */
  public static Digest of(MessageDigest sha) {
    return fromHash(sha.digest());
  }

  private static Digest fromHash(byte[] sha256) {
    return new Digest(HexFormat.of().formatHex(sha256));
  }

  /** A new SHA-256 hash. */
  public static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public String toString() {
    return "sha256:" + hex;
  }
}
