package org.sdcdocker.agent.stream;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.WriteStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.function.BooleanSupplier;

/**
 * A blocking OutputStream over a Vert.x write stream, for code that writes streams (tar) on a
 * thread of its own: it waits while the write queue is full, and closing ends the stream.
 */
final class ResponseOutputStream extends OutputStream {
  private static final int CHUNK = 64 * 1024;

  private final WriteStream<Buffer> out;
  private final BooleanSupplier closed;
  private final byte[] buf = new byte[CHUNK];
  private int len;

  ResponseOutputStream(WriteStream<Buffer> out, BooleanSupplier closed) {
    this.out = out;
    this.closed = closed;
  }

  @Override
  public void write(int b) throws IOException {
    if (len == CHUNK) {
      flush();
    }
    buf[len++] = (byte) b;
  }

  @Override
  public void write(byte[] b, int off, int n) throws IOException {
    while (n > 0) {
      if (len == CHUNK) {
        flush();
      }
      int k = Math.min(n, CHUNK - len);
      System.arraycopy(b, off, buf, len, k);
      len += k;
      off += k;
      n -= k;
    }
  }

  @Override
  public void flush() throws IOException {
    if (len == 0) {
      return;
    }
    try {
      Backpressure.awaitRoom(out, closed);
      if (closed.getAsBoolean()) {
        throw new IOException("the client went away");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted");
    }
    out.write(Buffer.buffer(len).appendBytes(buf, 0, len));
    len = 0;
  }

  @Override
  public void close() throws IOException {
    flush();
    out.end();
  }
}
