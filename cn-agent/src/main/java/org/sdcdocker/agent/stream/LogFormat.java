package org.sdcdocker.agent.stream;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;

/**
 * conmon's k8s-file log lines ({@code TIME STREAM F|P CONTENT}) turned into what Docker sends:
 * 8-byte framed messages (stream, 0, 0, 0, big-endian length) or, with a TTY, raw bytes.
 */
final class LogFormat {
  /** One parsed log line. */
  record Entry(String time, boolean stderr, boolean partial, byte[] content) {}

  private LogFormat() {}

  /** Parses one line (without its newline); null when it is not a log line. */
  static Entry parse(byte[] buf, int from, int to) {
    int s1 = indexOf(buf, from, to, (byte) ' ');
    int s2 = s1 < 0 ? -1 : indexOf(buf, s1 + 1, to, (byte) ' ');
    int s3 = s2 < 0 ? -1 : indexOf(buf, s2 + 1, to, (byte) ' ');
    if (s3 < 0) {
      return null;
    }
    String time = new String(buf, from, s1 - from, StandardCharsets.US_ASCII);
    boolean stderr = s2 - s1 == 7 && buf[s1 + 4] == 'e'; // "stderr", not "stdout"
    boolean partial = buf[s2 + 1] == 'P';
    byte[] content = new byte[to - s3 - 1 + (partial ? 0 : 1)];
    System.arraycopy(buf, s3 + 1, content, 0, to - s3 - 1);
    if (!partial) {
      content[content.length - 1] = '\n';
    }
    return new Entry(time, stderr, partial, content);
  }

  private static int indexOf(byte[] buf, int from, int to, byte b) {
    for (int i = from; i < to; i++) {
      if (buf[i] == b) {
        return i;
      }
    }
    return -1;
  }

  /** Docker's timestamp for a conmon one: RFC 3339 in UTC with a Z. */
  static String dockerTime(String conmonTime) {
    return conmonTime.endsWith("+00:00") ? conmonTime.substring(0, conmonTime.length() - 6) + "Z" : conmonTime;
  }

  /** The nanoseconds since the epoch of a conmon timestamp. */
  static long epochNanos(String conmonTime) {
    java.time.Instant i = java.time.OffsetDateTime.parse(conmonTime).toInstant();
    return i.getEpochSecond() * 1_000_000_000L + i.getNano();
  }

  /**
   * Appends one log line as Docker sends it, straight from the read buffer (no timestamps, no
   * time bounds): the hot path of docker logs and attach.
   */
  static void appendLine(Buffer out, byte[] buf, int from, int to, boolean tty, boolean stdout, boolean stderr) {
    int s1 = indexOf(buf, from, to, (byte) ' ');
    int s2 = s1 < 0 ? -1 : indexOf(buf, s1 + 1, to, (byte) ' ');
    int s3 = s2 < 0 ? -1 : indexOf(buf, s2 + 1, to, (byte) ' ');
    if (s3 < 0) {
      return;
    }
    boolean isErr = s2 - s1 == 7 && buf[s1 + 4] == 'e';
    if (!(isErr ? stderr : stdout)) {
      return;
    }
    boolean partial = buf[s2 + 1] == 'P';
    int len = to - s3 - 1 + (partial ? 0 : 1);
    if (!tty) {
      out.appendByte((byte) (isErr ? 2 : 1)).appendByte((byte) 0).appendByte((byte) 0).appendByte((byte) 0)
          .appendInt(len);
    }
    out.appendBytes(buf, s3 + 1, to - s3 - 1);
    if (!partial) {
      out.appendByte((byte) '\n');
    }
  }

  /** Appends one entry as Docker writes it. */
  static void append(Buffer out, Entry e, boolean tty, boolean timestamps) {
    byte[] prefix = timestamps ? (dockerTime(e.time()) + " ").getBytes(StandardCharsets.US_ASCII) : new byte[0];
    if (tty) {
      out.appendBytes(prefix).appendBytes(e.content());
      return;
    }
    out.appendByte((byte) (e.stderr() ? 2 : 1)).appendByte((byte) 0).appendByte((byte) 0).appendByte((byte) 0);
    out.appendInt(prefix.length + e.content().length).appendBytes(prefix).appendBytes(e.content());
  }
}
