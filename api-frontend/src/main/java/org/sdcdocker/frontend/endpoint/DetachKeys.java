package org.sdcdocker.frontend.endpoint;

import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayOutputStream;
import org.sdcdocker.protocol.DockerException;

/**
 * Watches a client's input for its detach sequence (default ctrl-p ctrl-q): bytes pass through
 * until the whole sequence has been typed, which is swallowed and reported.
 */
final class DetachKeys {
  private final byte[] seq;
  private int matched;

  DetachKeys(byte[] seq) {
    this.seq = seq;
  }

  /** Docker's format: comma-separated ctrl-a..ctrl-z, ctrl-@, ctrl-[ ... or single characters. */
  static DetachKeys parse(String spec) {
    String s = spec == null || spec.isEmpty() ? "ctrl-p,ctrl-q" : spec;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (String k : s.split(",")) {
      if (k.startsWith("ctrl-") && k.length() == 6) {
        char c = Character.toLowerCase(k.charAt(5));
        if (c >= 'a' && c <= 'z') {
          out.write(c - 'a' + 1);
        } else if ("@[\\]^_".indexOf(c) >= 0) {
          out.write("@[\\]^_".indexOf(c) == 0 ? 0 : 27 + "@[\\]^_".indexOf(c) - 1);
        } else {
          throw DockerException.invalid("Invalid escape keys (%s) provided", s);
        }
      } else if (k.length() == 1) {
        out.write(k.charAt(0));
      } else {
        throw DockerException.invalid("Invalid escape keys (%s) provided", s);
      }
    }
    return new DetachKeys(out.toByteArray());
  }

  /** What passes on of this input; {@link #detached()} tells whether the sequence completed. */
  Buffer filter(Buffer in) {
    Buffer out = Buffer.buffer(in.length());
    for (int i = 0; i < in.length(); i++) {
      byte b = in.getByte(i);
      if (matched < seq.length && b == seq[matched]) {
        matched++;
        if (matched == seq.length) {
          return out;
        }
      } else {
        out.appendBytes(seq, 0, matched); // a partial match was typing after all
        matched = 0;
        if (b == seq[0]) {
          matched = 1;
        } else {
          out.appendByte(b);
        }
      }
    }
    return out;
  }

  boolean detached() {
    return matched == seq.length;
  }
}
