package org.sdcdocker.frontend.endpoint;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.net.NetSocket;
import io.vertx.core.streams.WriteStream;
import org.sdcdocker.frontend.server.HalfClose;
import io.vertx.core.buffer.Buffer;
import org.sdcdocker.protocol.DockerException;

/** Pipes a byte stream from an agent's data-plane endpoint to a client, with backpressure. */
final class StreamProxy {
  private final HttpClient client;

  StreamProxy(Vertx vertx) {
    this.client = vertx.createHttpClient();
  }

  /** Opens the ticket's stream; the response is not read until piped. */
  Future<HttpClientResponse> open(String url) {
    return client.request(new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(url))
        .compose(req -> req.send())
        .compose(resp -> resp.statusCode() == 200 ? Future.succeededFuture(resp)
            : Future.failedFuture(DockerException.internal("agent stream answered %d", resp.statusCode())));
  }

  /** Copies the agent's stream to the client; ends the client's side when the agent's ends. */
  static Future<Void> pipe(HttpClientResponse from, WriteStream<Buffer> to) {
    return from.pipeTo(to);
  }

  /** An upgraded connection (both directions) to the agent's data plane. */
  Future<NetSocket> connect(String url) {
    return client.request(new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(url)
            .putHeader("Connection", "Upgrade").putHeader("Upgrade", "tcp"))
        .compose(req -> {
          req.exceptionHandler(e -> { }); // the agent ends the stream by closing it: not an error
          return req.connect();
        })
        .compose(resp -> resp.statusCode() == 101 ? Future.succeededFuture(resp.netSocket())
            : Future.failedFuture(DockerException.internal("agent refused the stream: %d", resp.statusCode())));
  }

  /**
   * An exec's streams: output from the agent as it comes; input to it as length-prefixed chunks,
   * an empty one when the client half-closes (an exec's stream ends with the agent).
   */
  static void bridge(NetSocket client, NetSocket agent, DetachKeys keys) {
    agent.pipeTo(client);
    clientInput(client, keys, agent::write, agent::close);
    agent.resume();
  }

  /**
   * The client's input, as length-prefixed chunks to {@code send} (an empty one when the client
   * half-closes); typing the detach keys or closing the connection ends the session ({@code gone}).
   */
  private static void clientInput(NetSocket client, DetachKeys keys, java.util.function.Consumer<Buffer> send,
      Runnable gone) {
    client.handler(buf -> {
      Buffer in = keys == null ? buf : keys.filter(buf);
      if (in.length() > 0) {
        send.accept(Buffer.buffer(4 + in.length()).appendInt(in.length()).appendBuffer(in));
      }
      if (keys != null && keys.detached()) {
        gone.run();
        client.close();
      }
    });
    HalfClose.onInputShutdown(client, () -> send.accept(Buffer.buffer().appendInt(0)));
    client.closeHandler(v -> gone.run());
  }

  /** A resumable stream's link over a plain response (output only). */
  Future<ResumingStream.Link> link(String url) {
    return open(url).map(resp -> new ResumingStream.Link(resp, null, () -> resp.request().reset()));
  }

  /** A resumable stream's link over an upgraded connection (output and input). */
  Future<ResumingStream.Link> connectLink(String url) {
    return connect(url).map(sock -> new ResumingStream.Link(sock, sock, sock::close));
  }

  /**
   * Output from the agent as it comes; input to it as length-prefixed chunks, an empty one when
   * the client half-closes. Input is kept until the agent acknowledges it, and what a link did not
   * acknowledge is sent again on the next one, so input typed across a restart of the agent is
   * delivered (at least once). With detach keys, typing them ends the client's session (the
   * container runs on).
   */
  static void bridge(Vertx vertx, NetSocket client, ResumingStream.Link first,
      java.util.function.LongFunction<Future<ResumingStream.Link>> open, DetachKeys keys) {
    java.util.ArrayDeque<Buffer> unacked = new java.util.ArrayDeque<>();
    long[] acked = {0}; // input bytes of the current link acknowledged so far
    ResumingStream rs = new ResumingStream(vertx, client, open, client::end);
    rs.onAck(n -> {
      while (!unacked.isEmpty() && acked[0] + unacked.peek().length() <= n) {
        acked[0] += unacked.poll().length();
      }
      if (unacked.size() < 1024) {
        client.resume();
      }
    });
    rs.onLink(() -> {
      acked[0] = 0;
      unacked.forEach(b -> rs.input().write(b));
      client.resume();
    });
    clientInput(client, keys, b -> {
      unacked.add(b);
      WriteStream<Buffer> agent = rs.input();
      if (agent != null) {
        agent.write(b);
      }
      if (agent == null || unacked.size() >= 1024) {
        client.pause(); // until the agent is back, or has caught up
      }
    }, rs::clientGone);
    rs.start(first);
  }
}
