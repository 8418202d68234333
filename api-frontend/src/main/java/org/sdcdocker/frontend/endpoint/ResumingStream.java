package org.sdcdocker.frontend.endpoint;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import io.vertx.core.streams.WriteStream;
import java.util.function.LongConsumer;
import java.util.function.LongFunction;
import org.sdcdocker.protocol.DockerException;
import org.sdcdocker.protocol.ErrorKind;

/**
 * A client's attach or followed logs that outlive a restart of the agent: the agent sends records
 * of {@code [int length][long log offset][bytes]}, a length of -1 at the real end and of -2 to
 * acknowledge input (the long is then the input bytes delivered on this link); when the agent's
 * stream stops without that end, the next agent is asked for the rest from the last offset (every
 * 250 ms, for at most two minutes), and the client sees one unbroken stream.
 */
final class ResumingStream {
  private static final long RETRY_MS = 250;
  private static final int MAX_RETRIES = 480;

  /**
   * One connection to an agent's stream: what it sends, where input goes (or null), how to close
   * it.
   */
  record Link(ReadStream<Buffer> in, WriteStream<Buffer> input, Runnable close) {}

  private final Vertx vertx;
  private final WriteStream<Buffer> client;
  private final LongFunction<Future<Link>> open;
  private final Runnable endClient;
  private Link link;
  private Buffer pending = Buffer.buffer();
  private long offset = -1;
  private boolean done;
  private Runnable onLink = () -> {};
  private LongConsumer onAck = n -> {};

  /**
   * @param open a new link at a log offset (-1: where a new stream starts)
   * @param endClient what ends the client's side (its stream is over)
   */
  ResumingStream(
      Vertx vertx,
      WriteStream<Buffer> client,
      LongFunction<Future<Link>> open,
      Runnable endClient) {
    this.vertx = vertx;
    this.client = client;
    this.open = open;
    this.endClient = endClient;
  }

  /** Runs whenever a (new) link is up: the caller's input may flow again. */
  ResumingStream onLink(Runnable r) {
    this.onLink = r;
    return this;
  }

  /** Runs with each acknowledgement of input on the current link. */
  ResumingStream onAck(LongConsumer a) {
    this.onAck = a;
    return this;
  }

  /** Starts with the first link, already opened. */
  void start(Link first) {
    attach(first);
  }

  /** The current link's input side, or null while there is none. */
  WriteStream<Buffer> input() {
    return link == null ? null : link.input();
  }

  /** The client went away: the agent's stream is closed, nothing is taken up again. */
  void clientGone() {
    done = true;
    if (link != null) {
      link.close().run();
    }
  }

  private void attach(Link l) {
    link = l;
    pending = Buffer.buffer();
    l.in().handler(this::onData);
    l.in().endHandler(v -> cut(l));
    l.in().exceptionHandler(e -> cut(l));
    l.in().resume();
    onLink.run();
  }

  private void onData(Buffer b) {
    pending.appendBuffer(b);
    while (pending.length() >= 12) {
      int len = pending.getInt(0);
      if (len == -2) {
        onAck.accept(pending.getLong(4));
        pending = pending.getBuffer(12, pending.length());
        continue;
      }
      if (len < 0) {
        finish();
        return;
      }
      if (pending.length() < 12 + len) {
        return;
      }
      offset = pending.getLong(4);
      if (len > 0) {
        client.write(pending.getBuffer(12, 12 + len));
      }
      pending = pending.getBuffer(12 + len, pending.length());
    }
    if (client.writeQueueFull()) {
      ReadStream<Buffer> in = link.in();
      in.pause();
      client.drainHandler(v -> in.resume());
    }
  }

  /** The agent's stream stopped without its end: the agent went away; ask the next one. */
  private void cut(Link l) {
    if (done || l != link) {
      return;
    }
    link = null;
    retry(0);
  }

  private void retry(int attempt) {
    if (done) {
      return;
    }
    if (attempt >= MAX_RETRIES || offset < 0) {
      finish();
      return;
    }
    vertx.setTimer(
        RETRY_MS,
        t ->
            open.apply(offset)
                .onSuccess(
                    l -> {
                      if (done) {
                        l.close().run();
                      } else {
                        attach(l);
                      }
                    })
                .onFailure(
                    e -> {
                      if (DockerException.of(e).kind() == ErrorKind.NOT_FOUND
                          && !e.getMessage().contains("no such stream")) {
                        finish(); // the container is gone: so is the stream
                      } else {
                        retry(attempt + 1);
                      }
                    }));
  }

  private void finish() {
    if (done) {
      return;
    }
    done = true;
    if (link != null) {
      link.close().run();
    }
    endClient.run();
  }
}
