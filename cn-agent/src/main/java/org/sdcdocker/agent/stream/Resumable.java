package org.sdcdocker.agent.stream;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.net.NetSocket;
import io.vertx.core.streams.WriteStream;
import java.util.function.LongSupplier;

/**
 * A stream the front end can take up again after the agent restarts: each write goes out as a
 * record {@code [int length][long log offset after it][bytes]}, the first an empty one with the
 * offset the stream starts at, and the end as a record of length -1; with input, a record of length
 * -2 acknowledges the input bytes delivered so far. A stream that stops without that end was cut
 * (the agent went away), and the front end asks the next agent for the rest from the last offset it
 * got.
 */
final class Resumable implements WriteStream<Buffer> {
  private final WriteStream<Buffer> out;
  private LongSupplier offsets = () -> 0;

  Resumable(WriteStream<Buffer> out) {
    this.out = out;
  }

  /** Where the offsets come from: the follower's position in the log, of what it has written. */
  Resumable offsets(LongSupplier s, long start) {
    this.offsets = s;
    out.write(Buffer.buffer(12).appendInt(0).appendLong(start));
    return this;
  }

  @Override
  public Future<Void> write(Buffer data) {
    return out.write(
        Buffer.buffer(12 + data.length())
            .appendInt(data.length())
            .appendLong(offsets.getAsLong())
            .appendBuffer(data));
  }

  @Override
  public Future<Void> end() {
    return out.end(Buffer.buffer(12).appendInt(-1).appendLong(offsets.getAsLong()));
  }

  /**
   * Acknowledges {@code delivered} bytes of the front end's input framing, passed on to the zone.
   */
  void ack(long delivered) {
    out.write(Buffer.buffer(12).appendInt(-2).appendLong(delivered));
  }

  /** Closes the connection without the end record: the stream was cut, not finished. */
  void cut() {
    if (out instanceof NetSocket s) {
      s.close();
    } else if (out instanceof HttpServerResponse r) {
      r.reset();
    }
  }

  @Override
  public WriteStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
    out.exceptionHandler(handler);
    return this;
  }

  @Override
  public WriteStream<Buffer> setWriteQueueMaxSize(int maxSize) {
    out.setWriteQueueMaxSize(maxSize);
    return this;
  }

  @Override
  public boolean writeQueueFull() {
    return out.writeQueueFull();
  }

  @Override
  public WriteStream<Buffer> drainHandler(Handler<Void> handler) {
    out.drainHandler(handler);
    return this;
  }
}
