package org.sdcdocker.agent.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.sdcdocker.protocol.agent.ContainerSpec;
import org.sdcdocker.protocol.agent.HostOptions;

class LogFormatTest {
  static LogFormat.Entry parse(String line) {
    byte[] b = line.getBytes(StandardCharsets.UTF_8);
    return LogFormat.parse(b, 0, b.length);
  }

  @Test
  void parse_readsStreamTagAndContent() {
    LogFormat.Entry out = parse("2026-11-29T16:12:42.272389223+00:00 stdout F hello world");
    assertThat(out.stderr()).isFalse();
    assertThat(out.partial()).isFalse();
    assertThat(new String(out.content())).isEqualTo("hello world\n");
    LogFormat.Entry err = parse("2026-11-29T16:12:42.272389223+00:00 stderr P part");
    assertThat(err.stderr()).isTrue();
    assertThat(new String(err.content())).isEqualTo("part");
    assertThat(parse("garbage")).isNull();
  }

  @Test
  void append_framesAsDocker() {
    Buffer b = Buffer.buffer();
    LogFormat.append(
        b, parse("2026-11-29T16:12:42.000000001+00:00 stderr F hi"), false, false, null);
    assertThat(b.getBytes()).containsExactly(2, 0, 0, 0, 0, 0, 0, 3, 'h', 'i', '\n');
    Buffer t = Buffer.buffer();
    LogFormat.append(t, parse("2026-11-29T16:12:42.000000001+00:00 stdout F hi"), true, true, null);
    assertThat(t.toString()).isEqualTo("2026-11-29T16:12:42.000000001Z hi\n");
  }

  private static Buffer frames(String... streamAndPayload) {
    Buffer b = Buffer.buffer();
    for (String f : streamAndPayload) {
      byte[] p = f.substring(1).getBytes(StandardCharsets.UTF_8);
      b.appendByte((byte) (f.charAt(0) - '0')).appendBytes(new byte[3]).appendInt(p.length);
      b.appendBytes(p);
    }
    return b;
  }

  @Test
  void lines_joinConmonsPiecesOfALine_perStream_acrossReads() {
    LogFormat.Lines lines = new LogFormat.Lines();
    // stdout's o177 came in two pieces, a stderr line between them, the end in the next read
    assertThat(lines.join(frames("1o176\n", "1o1", "2e176\n")).getBytes())
        .isEqualTo(frames("1o176\n", "2e176\n").getBytes());
    assertThat(lines.join(frames("17", "17\n", "1o178\n")).getBytes())
        .isEqualTo(frames("1o177\n", "1o178\n").getBytes());
    // a last line the run never ended goes out as it is
    assertThat(lines.join(frames("2tail")).length()).isZero();
    assertThat(lines.rest().getBytes()).isEqualTo(frames("2tail").getBytes());
    assertThat(lines.rest().length()).isZero();
    // a piece past 16 KiB goes out alone, as Docker splits such a line
    String big = "x".repeat(LogFormat.Lines.MAX);
    assertThat(lines.join(frames("1" + big, "1y\n")).getBytes())
        .isEqualTo(frames("1" + big, "1y\n").getBytes());
  }

  @Test
  void details_putTheSelectedAttributesBeforeEachLine() {
    var spec =
        new ContainerSpec(
            "x".repeat(64),
            "n",
            "a",
            "img",
            "sha256:x",
            List.of(),
            List.of(),
            List.of("true"),
            List.of("REGION=eu west", "K=v"),
            "",
            "",
            "h",
            "",
            Map.of("team", "a", "other", "b"),
            false,
            false,
            false,
            false,
            null,
            HostOptions.DEFAULT,
            "2026-01-01T00:00:00Z",
            List.of(),
            null);
    assertThat(LogFormat.attributes(spec)).isEmpty();
    var logged =
        spec.withHost(
            new HostOptions(
                0,
                0,
                0,
                false,
                0,
                0,
                null,
                0,
                null,
                false,
                null,
                false,
                null,
                null,
                false,
                false,
                null,
                0,
                null,
                null,
                null,
                -1,
                null,
                new HostOptions.LogConfig(
                    "json-file", 0, Map.of("labels", "team", "env", "REGION")),
                0,
                0,
                null),
            spec.restartPolicy());
    assertThat(LogFormat.attributes(logged)).isEqualTo("REGION=eu+west,team=a");
    Buffer b = Buffer.buffer();
    LogFormat.append(b, parse("2026-11-29T16:12:42.000000001+00:00 stdout F hi"), true, false, "");
    assertThat(b.toString()).isEqualTo(" hi\n");
  }

  @Test
  void appendLine_isTheSameFramingWithoutCopies() {
    byte[] line = "2026-11-29T16:12:42.000000001+00:00 stderr F hi".getBytes();
    Buffer fast = Buffer.buffer();
    LogFormat.appendLine(fast, line, 0, line.length, false, true, true);
    Buffer slow = Buffer.buffer();
    LogFormat.append(slow, LogFormat.parse(line, 0, line.length), false, false, null);
    assertThat(fast.getBytes()).isEqualTo(slow.getBytes());
    Buffer none = Buffer.buffer();
    LogFormat.appendLine(none, line, 0, line.length, false, true, false);
    assertThat(none.length()).isZero();
    byte[] part = "2026-11-29T16:12:42.000000001+00:00 stdout P abc".getBytes();
    Buffer tty = Buffer.buffer();
    LogFormat.appendLine(tty, part, 0, part.length, true, true, true);
    assertThat(tty.toString()).isEqualTo("abc");
  }

  @Test
  void epochNanos_ofConmonTimes() {
    assertThat(LogFormat.epochNanos("1970-01-01T00:00:01.000000002+00:00"))
        .isEqualTo(1_000_000_002L);
  }

  @Test
  void streamRequest_parsesDockersQuery() {
    StreamRequest r =
        StreamRequest.parse("logs", "stdout=1&stderr=0&follow=true&tail=5&since=1.5&timestamps=1");
    assertThat(r.stdout()).isTrue();
    assertThat(r.stderr()).isFalse();
    assertThat(r.follow()).isTrue();
    assertThat(r.tail()).isEqualTo(5);
    assertThat(r.sinceNanos()).isEqualTo(1_500_000_000L);
    assertThat(r.timestamps()).isTrue();
    StreamRequest a = StreamRequest.parse("attach", "stdout=1");
    assertThat(a.attach()).isTrue();
    assertThat(a.follow()).isTrue();
    assertThat(a.tail()).isEqualTo(-1);
  }

  @Test
  void merge_joinsRunsOfOneStream_keepingBytesAndOrder() {
    Buffer framed = Buffer.buffer();
    for (String l : new String[] {"1a\n", "1b\n", "2c\n", "1d\n", "1e\n"}) {
      framed
          .appendByte((byte) (l.charAt(0) - '0'))
          .appendBytes(new byte[3])
          .appendInt(l.length() - 1)
          .appendString(l.substring(1));
    }
    Buffer merged = LogFormat.merge(framed);
    Buffer want =
        Buffer.buffer()
            .appendByte((byte) 1)
            .appendBytes(new byte[3])
            .appendInt(4)
            .appendString("a\nb\n")
            .appendByte((byte) 2)
            .appendBytes(new byte[3])
            .appendInt(2)
            .appendString("c\n")
            .appendByte((byte) 1)
            .appendBytes(new byte[3])
            .appendInt(4)
            .appendString("d\ne\n");
    assertThat(merged.getBytes()).isEqualTo(want.getBytes());
    assertThat(StreamRequest.parse("logs", "stdout=1&frames=merged").mergeFrames()).isTrue();
    assertThat(StreamRequest.parse("logs", "stdout=1").mergeFrames()).isFalse();
  }
}
