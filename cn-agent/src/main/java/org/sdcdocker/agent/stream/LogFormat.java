package org.sdcdocker.agent.stream;

import io.vertx.core.buffer.Buffer;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.sdcdocker.protocol.agent.ContainerSpec;

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
    return conmonTime.endsWith("+00:00")
        ? conmonTime.substring(0, conmonTime.length() - 6) + "Z"
        : conmonTime;
  }

  /** The nanoseconds since the epoch of a conmon timestamp. */
  static long epochNanos(String conmonTime) {
    Instant i = OffsetDateTime.parse(conmonTime).toInstant();
    return i.getEpochSecond() * 1_000_000_000L + i.getNano();
  }

  /**
   * Appends one log line as Docker sends it, straight from the read buffer (no timestamps, no time
   * bounds): the hot path of docker logs and attach.
   */
  static void appendLine(
      Buffer out, byte[] buf, int from, int to, boolean tty, boolean stdout, boolean stderr) {
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
      out.appendByte((byte) (isErr ? 2 : 1))
          .appendByte((byte) 0)
          .appendByte((byte) 0)
          .appendByte((byte) 0)
          .appendInt(len);
    }
    out.appendBytes(buf, s3 + 1, to - s3 - 1);
    if (!partial) {
      out.appendByte((byte) '\n');
    }
  }

  /**
   * The same stream with each run of consecutive frames of one stream (stdout or stderr) as one
   * frame: the same bytes in the same order, for a client that reads the stream as bytes (the
   * docker CLI writes each frame apart, so a million one-line frames cost it a million writes).
   */
  static Buffer merge(Buffer framed) {
    Buffer out = Buffer.buffer(framed.length());
    int open = -1; // where the header of the frame being extended is
    byte openStream = 0;
    int pos = 0;
    while (pos + 8 <= framed.length()) {
      byte stream = framed.getByte(pos);
      int len = framed.getInt(pos + 4);
      if (open >= 0 && stream == openStream) {
        out.setInt(open + 4, out.getInt(open + 4) + len);
      } else {
        open = out.length();
        openStream = stream;
        out.appendBuffer(framed, pos, 8);
      }
      out.appendBuffer(framed, pos + 8, len);
      pos += 8 + len;
    }
    return out;
  }

  /**
   * Whole lines for a client that frames by line (one frame per line, as Docker's): conmon writes a
   * line it read in two pieces (its read ended inside the line) as a partial record and the rest
   * later, maybe after lines of the other stream; each stream's pieces are held here until the line
   * ends, then sent as one frame, as Docker's log copier does. A piece longer than Docker's 16 KiB
   * goes out as it is, as Docker splits such lines.
   */
  static final class Lines {
    static final int MAX = 16 * 1024;
    private final Buffer[] pending = new Buffer[3];

    /** The frames of {@code framed} with each stream's partial lines joined to their ends. */
    Buffer join(Buffer framed) {
      Buffer out = Buffer.buffer(framed.length());
      int pos = 0;
      while (pos + 8 <= framed.length()) {
        byte stream = framed.getByte(pos);
        int len = framed.getInt(pos + 4);
        int s = stream == 2 ? 2 : 1;
        boolean whole = len > 0 && framed.getByte(pos + 8 + len - 1) == '\n';
        if (whole && pending[s] == null) {
          out.appendBuffer(framed, pos, 8 + len);
        } else {
          if (pending[s] == null) {
            pending[s] = Buffer.buffer();
          }
          pending[s].appendBuffer(framed, pos + 8, len);
          if (whole || pending[s].length() >= MAX) {
            frame(out, stream, pending[s]);
            pending[s] = null;
          }
        }
        pos += 8 + len;
      }
      return out;
    }

    /** What is held, as it is: the stream ends before these lines do. */
    Buffer rest() {
      Buffer out = Buffer.buffer();
      for (int s = 1; s <= 2; s++) {
        if (pending[s] != null) {
          frame(out, (byte) s, pending[s]);
          pending[s] = null;
        }
      }
      return out;
    }

    private static void frame(Buffer out, byte stream, Buffer payload) {
      out.appendByte(stream)
          .appendByte((byte) 0)
          .appendByte((byte) 0)
          .appendByte((byte) 0)
          .appendInt(payload.length())
          .appendBuffer(payload);
    }
  }

  /**
   * Appends one entry as Docker writes it: the timestamp when asked, then the log attributes and a
   * space when details were asked (a bare space when there are none, as Docker's).
   */
  static void append(Buffer out, Entry e, boolean tty, boolean timestamps, String details) {
    String head =
        (timestamps ? dockerTime(e.time()) + " " : "") + (details == null ? "" : details + " ");
    byte[] prefix = head.getBytes(StandardCharsets.UTF_8);
    if (tty) {
      out.appendBytes(prefix).appendBytes(e.content());
      return;
    }
    out.appendByte((byte) (e.stderr() ? 2 : 1))
        .appendByte((byte) 0)
        .appendByte((byte) 0)
        .appendByte((byte) 0);
    out.appendInt(prefix.length + e.content().length).appendBytes(prefix).appendBytes(e.content());
  }

  /**
   * The attributes json-file keeps with each line, as {@code --log-opt labels=, env=, env-regex=}
   * select them from the container's labels and environment: {@code k=v,k2=v2}, sorted,
   * URL-escaped, as Docker's logs --details shows them.
   */
  static String attributes(ContainerSpec spec) {
    Map<String, String> cfg = spec.host().log().config();
    TreeMap<String, String> attrs = new TreeMap<>();
    for (String key : cfg.getOrDefault("labels", "").split(",")) {
      if (!key.isEmpty() && spec.labels().containsKey(key)) {
        attrs.put(key, spec.labels().get(key));
      }
    }
    Map<String, String> env = new LinkedHashMap<>();
    for (String e : spec.env()) {
      String[] kv = e.split("=", 2);
      env.put(kv[0], kv.length > 1 ? kv[1] : "");
    }
    for (String key : cfg.getOrDefault("env", "").split(",")) {
      if (!key.isEmpty() && env.containsKey(key)) {
        attrs.put(key, env.get(key));
      }
    }
    String regex = cfg.get("env-regex");
    if (regex != null && !regex.isEmpty()) {
      Pattern p = Pattern.compile(regex);
      env.forEach(
          (k, v) -> {
            if (p.matcher(k).find()) {
              attrs.put(k, v);
            }
          });
    }
    StringBuilder b = new StringBuilder();
    attrs.forEach(
        (k, v) ->
            b.append(b.length() == 0 ? "" : ",")
                .append(URLEncoder.encode(k, StandardCharsets.UTF_8))
                .append('=')
                .append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
    return b.toString();
  }
}
