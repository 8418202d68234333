package org.sdcdocker.agent.stream;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.sdcdocker.agent.exec.ExecBackend;
import org.sdcdocker.agent.sys.SeqpacketNative;

/**
 * One attached exec on the data plane: with a terminal under its own conmon (so it outlives the
 * agent, as the zone does), without one as the agent's child entering the zone (started already).
 * The front end sends stdin as length-prefixed chunks, a zero length meaning end of input. The
 * exit code is recorded before the connection ends, so the client's inspect after the stream
 * sees it.
 */
final class ExecSession {
  private final ExecBackend execs;
  private final String execId;
  private final NetSocket socket;
  private final ExecutorService threads;
  private final StdinChunks chunks = new StdinChunks();

  private final Process started;
  private final Buffer early;

  /**
   * {@code started} is the process of an exec without a terminal, already started; null with one.
   * {@code early} is input that came before the session (fed first).
   */
  ExecSession(ExecBackend execs, String execId, NetSocket socket, ExecutorService io, Process started, Buffer early) {
    this.execs = execs;
    this.execId = execId;
    this.socket = socket;
    this.threads = io;
    this.started = started;
    this.early = early;
  }

  /** Takes the client's input with {@code in}, after what came early. */
  private void takeInput(io.vertx.core.Handler<Buffer> in) {
    if (early.length() > 0) {
      in.handle(early);
    }
    socket.handler(in);
  }

  /** Runs {@code task} on {@code input}; input that comes after the exec's end is dropped. */
  private static void later(ExecutorService input, Runnable task) {
    try {
      input.execute(task);
    } catch (java.util.concurrent.RejectedExecutionException ended) {
      // the exec ended or the client left: nobody reads this input any more
    }
  }

  void run() {
    if (started == null) {
      runUnderConmon();
    } else {
      runEntered(started);
    }
  }

  /**
   * Without a terminal: the process's stdout and stderr are framed as Docker's (stream 1 and 2)
   * as they come, input chunks are written to its stdin. As with Docker, the stream ends when the
   * process has exited and its output is closed (a background process holding it keeps it open).
   */
  private void runEntered(Process proc) {
    java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
    ExecutorService input = Executors.newSingleThreadExecutor(r -> daemon(r, "exec-stdin"));
    java.io.OutputStream stdin = proc.getOutputStream();
    takeInput(buf -> later(input, () -> {
      try {
        chunks.feed(buf, new StdinChunks.Sink() {
          @Override
          public void data(byte[] bytes) throws java.io.IOException {
            stdin.write(bytes);
            stdin.flush();
          }

          @Override
          public void end() throws java.io.IOException {
            stdin.close();
          }
        });
      } catch (Exception e) {
        chunks.drop(); // the exec has ended
      }
    }));
    socket.closeHandler(v -> {
      closed.set(true);
      input.shutdown();
    });
    socket.resume();
    java.util.concurrent.CompletableFuture<Void> out = pump(proc.getInputStream(), 1, closed);
    java.util.concurrent.CompletableFuture<Void> err = pump(proc.getErrorStream(), 2, closed);
    java.util.concurrent.CompletableFuture.allOf(out, err).whenComplete((v, t) -> {
      int code;
      try {
        code = proc.waitFor();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        code = 255;
      }
      execs.recordEnd(execId, code); // before the stream's end: the client's inspect comes next
      later(input, () -> {
        try {
          stdin.close();
        } catch (java.io.IOException ignored) {
          // already closed
        }
      });
      input.shutdown();
      socket.end();
      execs.removeFiles(execId);
    });
  }

  /** Copies one output of the process as Docker's frames of {@code stream}, until its end. */
  private java.util.concurrent.CompletableFuture<Void> pump(java.io.InputStream in, int stream,
      java.util.concurrent.atomic.AtomicBoolean closed) {
    java.util.concurrent.CompletableFuture<Void> done = new java.util.concurrent.CompletableFuture<>();
    threads.execute(() -> {
      byte[] buf = new byte[32 * 1024];
      try (in) {
        int n;
        while ((n = in.read(buf)) > 0) {
          if (closed.get()) {
            continue; // the client left: the process runs on, its output is dropped as Docker does
          }
          Buffer frame = Buffer.buffer(8 + n).appendByte((byte) stream).appendBytes(new byte[3]).appendInt(n)
              .appendBytes(buf, 0, n);
          socket.write(frame);
          Backpressure.awaitRoom(socket, closed::get);
        }
      } catch (java.io.IOException | InterruptedException e) {
        // the process's end
      }
      done.complete(null);
    });
    return done;
  }

  private void failed(RuntimeException e) {
    socket.resume();
    socket.write(Buffer.buffer("docker: " + e.getMessage() + "\r\n"));
    execs.finished(execId, 126);
    socket.end();
  }

  /**
   * Under the exec's own conmon: output is its log followed (framed, or raw for a TTY), input goes
   * to its attach socket (its end closes the exec's stdin), the exit code comes from its exit file.
   */
  private void runUnderConmon() {
    boolean tty = execs.inspect(execId).spec().tty();
    ExecBackend.ConmonExec t;
    try {
      t = execs.startUnderConmon(execId);
    } catch (RuntimeException e) {
      failed(e);
      return;
    }
    java.util.concurrent.CompletableFuture<Integer> exit = new java.util.concurrent.CompletableFuture<>();
    threads.execute(() -> {
      java.nio.file.Path file = t.exitFile();
      long pause = 1; // most execs are short: look every ms for their first 100 ms, then less often
      long started = System.nanoTime();
      try {
        while (!exit.isDone()) {
          if (java.nio.file.Files.exists(file)) {
            String v = java.nio.file.Files.readString(file).trim();
            if (!v.isEmpty()) {
              exit.complete(Integer.parseInt(v));
            }
          } else if (!java.nio.file.Files.exists(java.nio.file.Path.of("/proc", Integer.toString(t.pid())))
              && !java.nio.file.Files.exists(t.bundle().resolve("attach"))) {
            for (int i = 0; i < 50 && !java.nio.file.Files.exists(file); i++) {
              Thread.sleep(20); // conmon writes the exit file just after
            }
            if (!java.nio.file.Files.exists(file)) {
              exit.complete(255);
            }
          }
          Thread.sleep(pause);
          if (System.nanoTime() - started > 100_000_000L) {
            pause = Math.min(20, pause * 2);
          }
        }
      } catch (Exception e) {
        exit.complete(255);
      }
    });
    SeqpacketNative[] conmon = {null};
    ExecutorService input = Executors.newSingleThreadExecutor(r -> daemon(r, "exec-stdin"));
    takeInput(buf -> later(input, () -> {
      try {
        if (conmon[0] == null) {
          conmon[0] = SeqpacketNative.connectIn(t.bundle().toString(), "attach");
        }
        chunks.feed(buf, new StdinChunks.Sink() {
          @Override
          public void data(byte[] bytes) {
            conmon[0].write(bytes);
          }

          @Override
          public void end() {
            if (!tty) {
              conmon[0].shutdownOutput(); // conmon closes the exec's stdin; a terminal's end is the user's ^D
            }
          }
        });
      } catch (Exception e) {
        chunks.drop(); // the exec has ended
      }
    }));
    socket.closeHandler(v -> input.shutdown());
    try {
      java.io.RandomAccessFile log = new java.io.RandomAccessFile(t.bundle().resolve("log").toFile(), "r");
      LogFollower out = new LogFollower(log, 0, StreamRequest.parse("attach", "stdout=1&stderr=1"), tty, exit,
          new io.vertx.core.streams.WriteStream<Buffer>() {
            @Override
            public io.vertx.core.streams.WriteStream<Buffer> exceptionHandler(io.vertx.core.Handler<Throwable> h) {
              return this;
            }

            @Override
            public io.vertx.core.Future<Void> write(Buffer data) {
              return socket.write(data);
            }

            @Override
            public io.vertx.core.Future<Void> end() {
              return io.vertx.core.Future.succeededFuture(); // the session ends it, after the exit code
            }

            @Override
            public io.vertx.core.streams.WriteStream<Buffer> setWriteQueueMaxSize(int maxSize) {
              return this;
            }

            @Override
            public boolean writeQueueFull() {
              return socket.writeQueueFull();
            }

            @Override
            public io.vertx.core.streams.WriteStream<Buffer> drainHandler(io.vertx.core.Handler<Void> handler) {
              socket.drainHandler(handler);
              return this;
            }
          }, socket::closeHandler);
      socket.resume();
      threads.execute(() -> {
        out.run();
        int code = exit.getNow(255);
        execs.finished(execId, code);
        if (conmon[0] != null) {
          conmon[0].close();
        }
        input.shutdown();
        socket.end();
      });
    } catch (java.io.IOException e) {
      execs.finished(execId, 255);
      socket.end();
    }
  }

  static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }
}
