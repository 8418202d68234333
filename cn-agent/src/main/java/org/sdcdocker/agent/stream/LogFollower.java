package org.sdcdocker.agent.stream;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.WriteStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.sdcdocker.agent.zone.LogRotation;

/**
 * Reads a zone's log file from a position and writes Docker's stream of it to a response; when
 * following, it keeps reading until the run it waits for has ended and the file is drained. Runs on
 * a thread of its own (the stream pool), never on an event loop.
 */
final class LogFollower implements Runnable {
  private static final int CHUNK = 1 << 16;
  private final LogFormat.Lines lines = new LogFormat.Lines();

  private RandomAccessFile file;
  private final Path path;
  private Object inode;
  private final long start;
  private final StreamRequest req;
  private final boolean tty;
  private final CompletableFuture<?> runEnd;
  private final WriteStream<Buffer> resp;
  private volatile boolean closed;
  private boolean stopping;
  private byte[] carry = new byte[0];

  LogFollower(
      RandomAccessFile file,
      long start,
      StreamRequest req,
      boolean tty,
      CompletableFuture<?> runEnd,
      WriteStream<Buffer> resp,
      Consumer<Handler<Void>> onClose) {
    this(file, null, start, req, tty, runEnd, resp, onClose);
  }

  /**
   * A follower of a zone's log at {@code path}, which may be rotated under it (json-file max-size).
   */
  LogFollower(
      RandomAccessFile file,
      Path path,
      long start,
      StreamRequest req,
      boolean tty,
      CompletableFuture<?> runEnd,
      WriteStream<Buffer> resp,
      Consumer<Handler<Void>> onClose) {
    this.file = file;
    this.path = path;
    this.inode = inodeOf(path);
    this.start = start;
    this.req = req;
    this.tty = tty;
    this.runEnd = runEnd;
    this.resp = resp;
    onClose.accept(v -> closed = true);
  }

  @Override
  public void run() {
    try {
      if (req.offset() >= 0) {
        file.seek(start); // a stream taken up again where the last one stopped
      } else if (req.attach() || path == null) {
        file.seek(req.tail() >= 0 ? tailStart() : start);
      } else {
        history();
      }
      pass();
      while (req.follow() && runEnd != null && !closed) {
        try {
          runEnd.get(20, TimeUnit.MILLISECONDS);
          pass(); // the run's end is known from conmon's exit file, written after it drained the
          // output
          break;
        } catch (TimeoutException e) {
          pass();
          followRotation();
        }
      }
    } catch (InterruptedException e) {
      stopping =
          true; // the agent stops: the stream is cut, not ended, so a front end can take it up
      // again
    } catch (Exception e) {
      // the client went away or the zone was removed: end the stream
    } finally {
      try {
        file.close();
      } catch (IOException ignored) {
        // nothing to do
      }
      if (!closed) {
        Buffer rest = lines.rest(); // a last line the run never ended
        if (rest.length() > 0) {
          resp.write(rest);
        }
        if (stopping && resp instanceof Resumable r) {
          r.cut();
        } else {
          resp.end();
        }
      }
    }
  }

  private static Object inodeOf(Path p) {
    try {
      return p == null ? null : Files.getAttribute(p, "unix:ino");
    } catch (IOException e) {
      return null;
    }
  }

  /** The rotated files first (oldest first), then the current one, from where the tail begins. */
  private void history() throws IOException, InterruptedException {
    List<Path> older = LogRotation.rotated(path);
    int skipFiles = 0;
    long firstPos = 0;
    if (req.tail() >= 0) {
      long[] at = tailAcross(older);
      skipFiles = (int) at[0];
      firstPos = at[1];
    }
    RandomAccessFile current = file;
    for (int i = skipFiles; i < older.size(); i++) {
      try (RandomAccessFile f = new RandomAccessFile(older.get(i).toFile(), "r")) {
        file = f;
        file.seek(i == skipFiles ? firstPos : 0);
        pass();
      } catch (FileNotFoundException e) {
        // rotated away meanwhile
      }
    }
    file = current;
    carry = new byte[0];
    file.seek(skipFiles == older.size() ? firstPos : 0);
  }

  /**
   * Which file (an index into older, or older.size() for the current) and where the tail begins.
   */
  private long[] tailAcross(List<Path> older) throws IOException {
    long want = req.tail();
    if (want == 0) {
      return new long[] {older.size(), file.length()};
    }
    long inCurrent = countAndStart(file, want);
    if (inCurrent >= 0) {
      return new long[] {older.size(), inCurrent};
    }
    long needed = want - selectedLines(file);
    for (int i = older.size() - 1; i >= 0; i--) {
      try (RandomAccessFile f = new RandomAccessFile(older.get(i).toFile(), "r")) {
        long n = selectedLines(f);
        if (n >= needed) {
          return new long[] {i, countAndStart(f, needed)};
        }
        needed -= n;
      } catch (FileNotFoundException e) {
        return new long[] {i + 1, 0};
      }
    }
    return new long[] {0, 0};
  }

  /** The position where the last {@code n} selected lines of f start; -1 when f has fewer. */
  private long countAndStart(RandomAccessFile f, long n) throws IOException {
    ArrayDeque<Long> starts = new ArrayDeque<>();
    long pos = 0;
    f.seek(0);
    String line;
    while ((line = f.readLine()) != null) {
      if (selected(line)) {
        starts.addLast(pos);
        if (starts.size() > n) {
          starts.removeFirst();
        }
      }
      pos = f.getFilePointer();
    }
    if (n == 0) {
      return f.length();
    }
    return starts.size() < n ? -1 : starts.getFirst();
  }

  private long selectedLines(RandomAccessFile f) throws IOException {
    long count = 0;
    f.seek(0);
    String line;
    while ((line = f.readLine()) != null) {
      if (selected(line)) {
        count++;
      }
    }
    return count;
  }

  /** When the log was rotated under us: finish the old file, go on with the new one. */
  private void followRotation() throws IOException, InterruptedException {
    if (path == null) {
      return;
    }
    Object now = inodeOf(path);
    if (now != null && !now.equals(inode)) {
      pass();
      RandomAccessFile next = new RandomAccessFile(path.toFile(), "r");
      file.close();
      file = next;
      inode = now;
      carry = new byte[0];
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

  /** The log offset up to which this follower has written (what it carries is not written yet). */
  long consumed() {
    try {
      return file.getFilePointer() - carry.length;
    } catch (IOException e) {
      return 0;
    }
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
      carry = Arrays.copyOfRange(data, lineStart, len);
      if (out.length() > 0) {
        write(framed(out));
      }
    }
  }

  /**
   * What goes to the client of what was read: for the docker CLI each run of one stream's frames as
   * one frame; for a client that frames by line, whole lines (conmon's pieces of a line joined);
   * with a TTY, or with timestamps or details on each piece, as read.
   */
  private Buffer framed(Buffer out) {
    if (tty) {
      return out;
    }
    if (req.mergeFrames()) {
      return LogFormat.merge(out);
    }
    // attach passes output on as it comes (a prompt has no newline yet), as Docker's attach does
    return req.attach() || req.timestamps() || req.details() != null ? out : lines.join(out);
  }

  private void emit(Buffer out, byte[] data, int from, int to) {
    if (!req.timestamps()
        && req.sinceNanos() <= 0
        && req.untilNanos() <= 0
        && req.details() == null) {
      LogFormat.appendLine(
          out, data, from, to, tty, req.stdout(), req.stderr()); // the common case, no copies
      return;
    }
    LogFormat.Entry e = LogFormat.parse(data, from, to);
    if (e == null || !(e.stderr() ? req.stderr() : req.stdout())) {
      return;
    }
    if (req.sinceNanos() > 0 || req.untilNanos() > 0) {
      long t = LogFormat.epochNanos(e.time());
      if ((req.sinceNanos() > 0 && t < req.sinceNanos())
          || (req.untilNanos() > 0 && t > req.untilNanos())) {
        return;
      }
    }
    LogFormat.append(out, e, tty, req.timestamps(), req.details());
  }

  private void write(Buffer out) throws InterruptedException {
    Backpressure.awaitRoom(resp, () -> closed);
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
