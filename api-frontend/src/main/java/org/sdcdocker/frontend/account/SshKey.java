package org.sdcdocker.frontend.account;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.util.Base64;
import java.util.HexFormat;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.crypto.util.OpenSSHPublicKeyUtil;
import org.bouncycastle.crypto.util.PublicKeyFactory;
import org.sdcdocker.protocol.DockerException;

/**
 * A public key in OpenSSH's form (an {@code authorized_keys} line: type, base64 blob, comment), as
 * accounts register them. Its fingerprints are those {@code ssh-keygen -l} prints: SHA-256 of the
 * blob ({@code SHA256:} and unpadded base64) and MD5 ({@code aa:bb:...}). A certificate's key is
 * matched against an account's keys by the SHA-256 of the same blob.
 */
public record SshKey(String type, byte[] blob, String comment) {
  /** Parses one line of a {@code .pub} file; what is not one is an error that says so. */
  public static SshKey parse(String line) {
    String[] f = line.strip().split("\\s+", 3);
    if (f.length < 2) {
      throw DockerException.invalid("not an OpenSSH public key (expected: TYPE BASE64 [COMMENT])");
    }
    byte[] blob;
    try {
      blob = Base64.getDecoder().decode(f[1]);
      OpenSSHPublicKeyUtil.parsePublicKey(blob); // a key of a kind it knows, well formed
    } catch (RuntimeException e) {
      throw DockerException.invalid("not an OpenSSH public key: its key data cannot be read");
    }
    String inner = innerType(blob);
    if (!inner.equals(f[0])) {
      throw DockerException.invalid(
          "not an OpenSSH public key: the line says %s, the key is %s", f[0], inner);
    }
    return new SshKey(f[0], blob, f.length > 2 ? f[2] : "");
  }

  /** The OpenSSH form of a certificate's (or any JCA) public key. */
  public static SshKey of(PublicKey key) {
    try {
      byte[] blob =
          OpenSSHPublicKeyUtil.encodePublicKey(
              PublicKeyFactory.createKey(SubjectPublicKeyInfo.getInstance(key.getEncoded())));
      return new SshKey(innerType(blob), blob, "");
    } catch (IOException | RuntimeException e) {
      throw DockerException.invalid("a key of a kind accounts cannot register");
    }
  }

  /** {@code SHA256:} and the unpadded base64 of the blob's SHA-256, as ssh-keygen prints it. */
  public String sha256() {
    return "SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(digest("SHA-256"));
  }

  /** The blob's MD5 as colon-separated hex pairs, the original's fingerprint. */
  public String md5() {
    String hex = HexFormat.of().formatHex(digest("MD5"));
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < hex.length(); i += 2) {
      out.append(i == 0 ? "" : ":").append(hex, i, i + 2);
    }
    return out.toString();
  }

  /** The line as a {@code .pub} file holds it. */
  public String openssh() {
    String line = type + " " + Base64.getEncoder().encodeToString(blob);
    return comment.isEmpty() ? line : line + " " + comment;
  }

  private byte[] digest(String algorithm) {
    try {
      return MessageDigest.getInstance(algorithm).digest(blob);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The type string a blob starts with (a uint32 length, then the name). */
  private static String innerType(byte[] blob) {
    if (blob.length < 4) {
      throw DockerException.invalid("not an OpenSSH public key: its key data cannot be read");
    }
    int n =
        ((blob[0] & 0xff) << 24)
            | ((blob[1] & 0xff) << 16)
            | ((blob[2] & 0xff) << 8)
            | blob[3] & 0xff;
    if (n <= 0 || n > 64 || 4 + n > blob.length) {
      throw DockerException.invalid("not an OpenSSH public key: its key data cannot be read");
    }
    return new String(blob, 4, n, StandardCharsets.US_ASCII);
  }
}
