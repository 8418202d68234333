package org.sdcdocker.agent.stream;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.WriteStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Reads a zone's log file from a position and writes Docker's stream of it to a response; when
 * following, it keeps reading until the run it waits for has ended and the file is drained. Runs
 * on a thread of its own (the stream pool), never on an event loop.
 */
final class LogFollower implements Runnable {
  private static final int CHUNK = 1 << 16;

  private final RandomAccessFile file;
  private final long start;
  private final StreamRequest req;
  private final boolean tty;
  private final CompletableFuture<?> runEnd;
  private final WriteStream<Buffer> resp;
  private volatile boolean closed;
  private byte[] carry = new byte[0];

  LogFollower(RandomAccessFile file, long start, StreamRequest req, boolean tty, CompletableFuture<?> runEnd,
      WriteStream<Buffer> resp, java.util.function.Consumer<Handler<Void>> onClose) {
    this.file = file;
    this.start = start;
    this.req = req;
    this.tty = tty;
    this.runEnd = runEnd;
    this.resp = resp;
    onClose.accept(v -> closed = true);
  }

  @Override
  public void run() {
    try (file) {
      file.seek(req.tail() >= 0 ? tailStart() : start);
      pass();
      while (req.follow() && runEnd != null && !closed) {
        try {
          runEnd.get(20, TimeUnit.MILLISECONDS);
          Thread.sleep(20); // conmon writes the exit file after draining; give the last lines a moment
          pass();
          break;
        } catch (TimeoutException e) {
          pass();
        }
      }
    } catch (Exception e) {
      // the client went away or the zone was removed: end the stream
    } finally {
      if (!closed) {
        resp.end();
      }
    }
  }

  /** The position from which the last {@code tail} selected lines start. */
  private long tailStart() throws IOException {
    if (req.tail() == 0) {
      return file.length();
    }
    ArrayDeque<Long> starts = new ArrayDeque<>();
    long pos = 0;
    file.seek(0);
    String line;
    while ((line = file.readLine()) != null) {
      if (selected(line)) {
        starts.addLast(pos);
        if (starts.size() > req.tail()) {
          starts.removeFirst();
        }
      }
      pos = file.getFilePointer();
    }
    return starts.isEmpty() ? pos : starts.getFirst();
  }

  private boolean selected(String line) {
    String[] f = line.split(" ", 3);
    return f.length == 3 && (f[1].equals("stderr") ? req.stderr() : req.stdout());
  }

  /** Reads what the file has now and writes the whole lines among it. */
  private void pass() throws IOException, InterruptedException {
    if (file.length() < file.getFilePointer()) { // conmon truncated it at its size limit
      file.seek(0);
      carry = new byte[0];
    }
    byte[] buf = new byte[CHUNK];
    int n;
    while (!closed && (n = file.read(buf)) > 0) {
      byte[] data = carry.length == 0 ? buf : concat(carry, buf, n);
      int len = carry.length + n;
      Buffer out = Buffer.buffer(len + 1024);
      int lineStart = 0;
      for (int i = 0; i < len; i++) {
        if (data[i] == '\n') {
          emit(out, data, lineStart, i);
          lineStart = i + 1;
        }
      }
      carry = java.util.Arrays.copyOfRange(data, lineStart, len);
      if (out.length() > 0) {
        write(out);
      }
    }
  }

  private void emit(Buffer out, byte[] data, int from, int to) {
    if (!req.timestamps() && req.sinceNanos() <= 0 && req.untilNanos() <= 0) {
      LogFormat.appendLine(out, data, from, to, tty, req.stdout(), req.stderr()); // the common case, no copies
      return;
    }
    LogFormat.Entry e = LogFormat.parse(data, from, to);
    if (e == null || !(e.stderr() ? req.stderr() : req.stdout())) {
      return;
    }
    if (req.sinceNanos() > 0 || req.untilNanos() > 0) {
      long t = LogFormat.epochNanos(e.time());
      if ((req.sinceNanos() > 0 && t < req.sinceNanos()) || (req.untilNanos() > 0 && t > req.untilNanos())) {
        return;
      }
    }
    LogFormat.append(out, e, tty, req.timestamps());
  }

  private void write(Buffer out) throws InterruptedException {
    while (resp.writeQueueFull() && !closed) {
      Thread.sleep(2);
    }
    if (!closed) {
      resp.write(out);
    }
  }

  private static byte[] concat(byte[] a, byte[] b, int n) {
    byte[] r = new byte[a.length + n];
    System.arraycopy(a, 0, r, 0, a.length);
    System.arraycopy(b, 0, r, a.length, n);
    return r;
  }
}
