package org.sdcdocker.agent.exec;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.SequenceInputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.sdcdocker.protocol.agent.ExecRecords.CreateExec;
import org.sdcdocker.protocol.agent.ExecRecords.ExecSpec;

/** Commands run in a zone as execs nobody sees, their output captured: health checks. */
final class CapturedExec {
  private final ExecLauncher execs;

  CapturedExec(ExecLauncher execs) {
    this.execs = execs;
  }

  /** What a command run for a health check said. */
  public record Outcome(int exitCode, String output) {}

  /**
   * Runs a command in the zone as an exec nobody sees (a health check): output capped at 4 KiB,
   * killed after {@code timeoutMillis} (then exit code -1, as Docker reports a timed-out check).
   */
  Outcome run(String zoneId, List<String> cmd, long timeoutMillis)
      throws IOException, InterruptedException {
    String execId = "health-" + UUID.randomUUID();
    ExecSpec spec = new ExecSpec(cmd, List.of(), "", "", false, false, true, true, false);
    execs.create(new CreateExec(zoneId, execId, spec));
    Process proc = execs.start(execId);
    proc.getOutputStream().close();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Thread reader =
        new Thread(
            () -> {
              try (var in = new SequenceInputStream(proc.getInputStream(), proc.getErrorStream())) {
                byte[] buf = new byte[4096];
                int n;
                while ((n = in.read(buf)) > 0) {
                  if (out.size() < 4096) {
                    out.write(buf, 0, Math.min(n, 4096 - out.size()));
                  }
                }
              } catch (IOException ignored) {
                // the check was killed
              }
            },
            "health-output");
    reader.setDaemon(true);
    reader.start();
    boolean done = proc.waitFor(timeoutMillis, TimeUnit.MILLISECONDS);
    if (!done) {
      proc.descendants()
          .forEach(ProcessHandle::destroyForcibly); // the check's processes in the zone
      proc.destroyForcibly();
    }
    reader.join(1000);
    int code = done ? proc.exitValue() : -1;
    execs.finished(execId, code);
    execs.forget(execId);
    String text = out.toString(StandardCharsets.UTF_8);
    return new Outcome(
        code,
        done
            ? text
            : "Health check exceeded timeout (" + goDuration(timeoutMillis * 1_000_000L) + ")");
  }

  /** A duration as Go prints one (Docker's messages do): 300ms, 2s, 1.5s, 1m30s, 1h0m0s. */
  static String goDuration(long nanos) {
    if (nanos == 0) {
      return "0s";
    }
    if (nanos < 1_000_000_000L) {
      return nanos < 1_000
          ? nanos + "ns"
          : nanos < 1_000_000
              ? BigDecimal.valueOf(nanos, 3).stripTrailingZeros().toPlainString() + "µs"
              : BigDecimal.valueOf(nanos, 6).stripTrailingZeros().toPlainString() + "ms";
    }
    long h = nanos / 3_600_000_000_000L;
    long m = nanos % 3_600_000_000_000L / 60_000_000_000L;
    String sec =
        BigDecimal.valueOf(nanos % 60_000_000_000L, 9).stripTrailingZeros().toPlainString() + "s";
    return h > 0 ? h + "h" + m + "m" + sec : m > 0 ? m + "m" + sec : sec;
  }
}
