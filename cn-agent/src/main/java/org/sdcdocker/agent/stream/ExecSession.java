package org.sdcdocker.agent.stream;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.sdcdocker.agent.exec.ExecBackend;

/**
 * One attached exec on the data plane. Output: the process's stdout and stderr, each read on a
 * thread of its own and written as Docker's frames. Input: the front end sends stdin as
 * length-prefixed chunks, a zero length meaning end of input. The exit code is recorded before
 * the connection ends, so the client's inspect after the stream sees it.
 */
final class ExecSession {
  private final ExecBackend execs;
  private final String execId;
  private final NetSocket socket;
  private final ExecutorService io;
  private Buffer pending = Buffer.buffer();

  ExecSession(ExecBackend execs, String execId, NetSocket socket, ExecutorService io) {
    this.execs = execs;
    this.execId = execId;
    this.socket = socket;
    this.io = io;
  }

  void run() {
    if (execs.inspect(execId).spec().tty()) {
      runOnTerminal();
      return;
    }
    Process proc;
    try {
      proc = execs.start(execId);
    } catch (RuntimeException e) {
      socket.resume();
      frame(2, ("docker: " + e.getMessage() + "\n").getBytes());
      execs.finished(execId, 126);
      socket.end();
      return;
    }
    boolean stdin = execs.inspect(execId).spec().attachStdin();
    ExecutorService input = Executors.newSingleThreadExecutor(r -> daemon(r, "exec-stdin"));
    OutputStream toProc = proc.getOutputStream();
    if (stdin) {
      socket.handler(buf -> input.execute(() -> feed(buf, toProc)));
    } else {
      socket.handler(buf -> { });
      closeQuietly(toProc);
    }
    socket.closeHandler(v -> input.shutdown());
    socket.resume();
    var out = io.submit(() -> pump(proc.getInputStream(), 1));
    var err = io.submit(() -> pump(proc.getErrorStream(), 2));
    io.execute(() -> {
      int code = 255;
      try {
        out.get();
        err.get();
        code = proc.waitFor();
      } catch (Exception e) {
        Thread.currentThread().interrupt();
      }
      execs.finished(execId, code);
      input.shutdown();
      socket.end();
    });
  }

  /** exec -t: the process gets a terminal's slave; its master carries raw output and input. */
  private void runOnTerminal() {
    org.sdcdocker.agent.sys.PtyNative pty;
    Process proc;
    try {
      pty = org.sdcdocker.agent.sys.PtyNative.open();
      proc = execs.startOnTerminal(execId, pty.slave());
      execs.terminal(execId, pty);
    } catch (RuntimeException e) {
      socket.resume();
      socket.write(Buffer.buffer("docker: " + e.getMessage() + "\r\n"));
      execs.finished(execId, 126);
      socket.end();
      return;
    }
    ExecutorService input = Executors.newSingleThreadExecutor(r -> daemon(r, "exec-tty-stdin"));
    socket.handler(buf -> input.execute(() -> feedTerminal(buf, pty)));
    socket.closeHandler(v -> input.shutdown());
    socket.resume();
    io.execute(() -> {
      byte[] buf = new byte[32 * 1024];
      int n;
      try {
        while ((n = pty.read(buf)) > 0) { // EIO once the process and runc have closed the slave
          while (socket.writeQueueFull()) {
            Thread.sleep(2);
          }
          socket.write(Buffer.buffer(n).appendBytes(buf, 0, n));
          if (!proc.isAlive() && n < buf.length) {
            break;
          }
        }
        int code = proc.waitFor();
        execs.finished(execId, code);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        execs.finished(execId, 255);
      } finally {
        pty.close();
        input.shutdown();
        socket.end();
      }
    });
  }

  private void feedTerminal(Buffer buf, org.sdcdocker.agent.sys.PtyNative pty) {
    pending.appendBuffer(buf);
    while (pending.length() >= 4) {
      int len = pending.getInt(0);
      if (pending.length() < 4 + len) {
        return;
      }
      if (len > 0) {
        try {
          pty.write(pending.getBytes(4, 4 + len));
        } catch (RuntimeException e) {
          // the terminal is gone with its process
        }
      }
      pending = pending.getBuffer(4 + len, pending.length());
    }
  }

  /** Decodes stdin chunks; a zero-length chunk closes the process's stdin. */
  private void feed(Buffer buf, OutputStream toProc) {
    pending.appendBuffer(buf);
    try {
      while (pending.length() >= 4) {
        int len = pending.getInt(0);
        if (len == 0) {
          pending = pending.getBuffer(4, pending.length());
          toProc.close();
          continue;
        }
        if (pending.length() < 4 + len) {
          return;
        }
        toProc.write(pending.getBytes(4, 4 + len));
        toProc.flush();
        pending = pending.getBuffer(4 + len, pending.length());
      }
    } catch (IOException e) {
      // the process closed its stdin: what else comes is dropped, as Docker does
      pending = Buffer.buffer();
    }
  }

  private Void pump(InputStream in, int stream) throws IOException, InterruptedException {
    byte[] buf = new byte[32 * 1024];
    int n;
    while ((n = in.read(buf)) > 0) {
      while (socket.writeQueueFull()) {
        Thread.sleep(2);
      }
      frame(stream, java.util.Arrays.copyOf(buf, n));
    }
    return null;
  }

  private void frame(int stream, byte[] data) {
    Buffer b = Buffer.buffer(8 + data.length).appendByte((byte) stream).appendBytes(new byte[3])
        .appendInt(data.length).appendBytes(data);
    socket.write(b);
  }

  private static void closeQuietly(OutputStream o) {
    try {
      o.close();
    } catch (IOException ignored) {
      // nothing to close
    }
  }

  static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }
}
