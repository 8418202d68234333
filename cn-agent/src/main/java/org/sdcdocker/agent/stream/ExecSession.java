package org.sdcdocker.agent.stream;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import io.vertx.core.streams.WriteStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.sdcdocker.agent.exec.ExecLauncher;
import org.sdcdocker.agent.sys.SeqpacketNative;
import org.sdcdocker.bus.Daemons;

/**
 * One attached exec on the data plane: with a terminal under its own conmon (so it outlives the
 * agent, as the zone does), without one as the agent's child entering the zone (started already).
 * The front end sends stdin as length-prefixed chunks, a zero length meaning end of input. The exit
 * code is recorded before the connection ends, so the client's inspect after the stream sees it.
 */
final class ExecSession {
  private final ExecLauncher execs;
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
  ExecSession(
      ExecLauncher execs,
      String execId,
      NetSocket socket,
      ExecutorService io,
      Process started,
      Buffer early) {
    this.execs = execs;
    this.execId = execId;
    this.socket = socket;
    this.threads = io;
    this.started = started;
    this.early = early;
  }

  /** Takes the client's input with {@code in}, after what came early. */
  private void takeInput(Handler<Buffer> in) {
    if (early.length() > 0) {
      in.handle(early);
    }
    socket.handler(in);
  }

  /** Runs {@code task} on {@code input}; input that comes after the exec's end is dropped. */
  private static void later(ExecutorService input, Runnable task) {
    try {
      input.execute(task);
    } catch (RejectedExecutionException ended) {
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
   * Without a terminal: the process's stdout and stderr are framed as Docker's (stream 1 and 2) as
   * they come, input chunks are written to its stdin. As with Docker, the stream ends when the
   * process has exited and its output is closed (a background process holding it keeps it open).
   */
  private void runEntered(Process proc) {
    AtomicBoolean closed = new AtomicBoolean();
    ExecutorService input = Executors.newSingleThreadExecutor(Daemons.named("exec-stdin"));
    OutputStream stdin = proc.getOutputStream();
    takeInput(
        buf ->
            later(
                input,
                () -> {
                  try {
                    chunks.feed(
                        buf,
                        new StdinChunks.Sink() {
                          @Override
                          public void data(byte[] bytes) throws IOException {
                            stdin.write(bytes);
                            stdin.flush();
                          }

                          @Override
                          public void end() throws IOException {
                            stdin.close();
                          }
                        });
                  } catch (Exception e) {
                    chunks.drop(); // the exec has ended
                  }
                }));
    socket.closeHandler(
        v -> {
          closed.set(true);
          input.shutdown();
        });
    socket.resume();
    CompletableFuture<Void> out = pump(proc.getInputStream(), 1, closed);
    CompletableFuture<Void> err = pump(proc.getErrorStream(), 2, closed);
    CompletableFuture.allOf(out, err)
        .whenComplete(
            (v, t) -> {
              int code;
              try {
                code = proc.waitFor();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                code = 255;
              }
              execs.recordEnd(
                  execId, code); // before the stream's end: the client's inspect comes next
              later(
                  input,
                  () -> {
                    try {
                      stdin.close();
                    } catch (IOException ignored) {
                      // already closed
                    }
                  });
              input.shutdown();
              socket.end();
              execs.removeFiles(execId);
            });
  }

  /** Copies one output of the process as Docker's frames of {@code stream}, until its end. */
  private CompletableFuture<Void> pump(InputStream in, int stream, AtomicBoolean closed) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    threads.execute(
        () -> {
          byte[] buf = new byte[32 * 1024];
          try (in) {
            int n;
            while ((n = in.read(buf)) > 0) {
              if (closed.get()) {
                continue; // the client left: the process runs on, its output is dropped as Docker
                // does
              }
              Buffer frame =
                  Buffer.buffer(8 + n)
                      .appendByte((byte) stream)
                      .appendBytes(new byte[3])
                      .appendInt(n)
                      .appendBytes(buf, 0, n);
              socket.write(frame);
              Backpressure.awaitRoom(socket, closed::get);
            }
          } catch (IOException | InterruptedException e) {
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
    ExecLauncher.ConmonExec t;
    try {
      t = execs.startUnderConmon(execId);
    } catch (RuntimeException e) {
      failed(e);
      return;
    }
    CompletableFuture<Integer> exit = new CompletableFuture<>();
    threads.execute(
        () -> {
          Path file = t.exitFile();
          long pause =
              1; // most execs are short: look every ms for their first 100 ms, then less often
          long started = System.nanoTime();
          try {
            while (!exit.isDone()) {
              if (Files.exists(file)) {
                String v = Files.readString(file).trim();
                if (!v.isEmpty()) {
                  exit.complete(Integer.parseInt(v));
                }
              } else if (!Files.exists(Path.of("/proc", Integer.toString(t.pid())))
                  && !Files.exists(t.bundle().resolve("attach"))) {
                for (int i = 0; i < 50 && !Files.exists(file); i++) {
                  Thread.sleep(20); // conmon writes the exit file just after
                }
                if (!Files.exists(file)) {
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
    ExecutorService input = Executors.newSingleThreadExecutor(Daemons.named("exec-stdin"));
    takeInput(
        buf ->
            later(
                input,
                () -> {
                  try {
                    if (conmon[0] == null) {
                      conmon[0] = SeqpacketNative.connectIn(t.bundle().toString(), "attach");
                    }
                    chunks.feed(
                        buf,
                        new StdinChunks.Sink() {
                          @Override
                          public void data(byte[] bytes) {
                            conmon[0].write(bytes);
                          }

                          @Override
                          public void end() {
                            if (!tty) {
                              conmon[0]
                                  .shutdownOutput(); // conmon closes the exec's stdin; a terminal's
                              // end is the user's ^D
                            }
                          }
                        });
                  } catch (Exception e) {
                    chunks.drop(); // the exec has ended
                  }
                }));
    socket.closeHandler(v -> input.shutdown());
    try {
      RandomAccessFile log = new RandomAccessFile(t.bundle().resolve("log").toFile(), "r");
      LogFollower out =
          new LogFollower(
              log,
              0,
              StreamRequest.parse("attach", "stdout=1&stderr=1"),
              tty,
              exit,
              new WriteStream<Buffer>() {
                @Override
                public WriteStream<Buffer> exceptionHandler(Handler<Throwable> h) {
                  return this;
                }

                @Override
                public Future<Void> write(Buffer data) {
                  return socket.write(data);
                }

                @Override
                public Future<Void> end() {
                  return Future.succeededFuture(); // the session ends it, after the exit code
                }

                @Override
                public WriteStream<Buffer> setWriteQueueMaxSize(int maxSize) {
                  return this;
                }

                @Override
                public boolean writeQueueFull() {
                  return socket.writeQueueFull();
                }

                @Override
                public WriteStream<Buffer> drainHandler(Handler<Void> handler) {
                  socket.drainHandler(handler);
                  return this;
                }
              },
              socket::closeHandler);
      socket.resume();
      threads.execute(
          () -> {
            out.run();
            int code = exit.getNow(255);
            execs.finished(execId, code);
            if (conmon[0] != null) {
              conmon[0].close();
            }
            input.shutdown();
            socket.end();
          });
    } catch (IOException e) {
      execs.finished(execId, 255);
      socket.end();
    }
  }
}
