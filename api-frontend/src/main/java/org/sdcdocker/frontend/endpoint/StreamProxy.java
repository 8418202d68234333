package org.sdcdocker.frontend.endpoint;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetSocket;
import io.vertx.core.streams.ReadStream;
import io.vertx.core.streams.WriteStream;
import java.util.ArrayDeque;
import java.util.function.Consumer;
import java.util.function.LongFunction;
import org.sdcdocker.bus.Tls;
import org.sdcdocker.frontend.http.HalfClose;
import org.sdcdocker.protocol.DockerException;

/** Pipes a byte stream from an agent's data-plane endpoint to a client, with backpressure. */
final class StreamProxy {
  private final HttpClient client;

  /** {@code tls}: in a fleet, the agents' data planes are reached over TLS (null: plain). */
  StreamProxy(Vertx vertx, Tls tls) {
    this.client =
        tls == null
            ? vertx.createHttpClient()
            : vertx.createHttpClient(tls.client(new HttpClientOptions()));
  }

  /** Opens the ticket's stream; the response is not read until piped. */
  Future<HttpClientResponse> open(String url) {
    return client
        .request(new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(url))
        .compose(req -> req.send())
        .compose(
            resp -> {
              if (resp.statusCode() != 200) {
                return refused(resp);
              }
              // held until its reader is there (pipe resumes it): a hijacked client's socket
              // comes later, and what the agent sent meanwhile would be lost (an attach replay
              // answered empty to docker-py, about one time in three)
              resp.pause();
              return Future.succeededFuture(resp);
            });
  }

  /**
   * A stream the agent refused: a container removed meanwhile is a 404 with the agent's message
   * (Docker's words); anything else an internal error.
   */
  private static Future<HttpClientResponse> refused(HttpClientResponse resp) {
    int status = resp.statusCode();
    return resp.body()
        .compose(
            body -> {
              String message = null;
              try {
                message = new JsonObject(body).getString("message");
              } catch (RuntimeException notJson) {
                // the status alone, then
              }
              return Future.failedFuture(
                  status == 404 && message != null
                      ? DockerException.notFound("%s", message)
                      : DockerException.internal("agent stream answered %d", status));
            });
  }

  /** Copies the agent's stream to the client; ends the client's side when the agent's ends. */
  static Future<Void> pipe(HttpClientResponse from, WriteStream<Buffer> to) {
    return from.pipeTo(to);
  }

  /** An upgraded connection (both directions) to the agent's data plane. */
  Future<NetSocket> connect(String url) {
    return client
        .request(
            new RequestOptions()
                .setMethod(HttpMethod.GET)
                .setAbsoluteURI(url)
                .putHeader("Connection", "Upgrade")
                .putHeader("Upgrade", "tcp"))
        .compose(
            req -> {
              req.exceptionHandler(
                  e -> {}); // the agent ends the stream by closing it: not an error
              return req.connect();
            })
        .compose(
            resp ->
                resp.statusCode() == 101
                    ? Future.succeededFuture(resp.netSocket())
                    : Future.failedFuture(
                        DockerException.internal(
                            "agent refused the stream: %d", resp.statusCode())));
  }

  /**
   * An exec's streams: output from the agent as it comes; input to it as length-prefixed chunks, an
   * empty one when the client half-closes (an exec's stream ends with the agent).
   */
  static void bridge(NetSocket client, NetSocket agent, DetachKeys keys) {
    agent.pipeTo(client);
    clientInput(client, keys, agent::write, agent::close);
    agent.resume();
  }

  /**
   * The same for a TTY exec whose start asked for no TTY: its raw output goes out as stdout frames,
   * as Docker frames by the start's {@code Tty} (docker-py starts so by default).
   */
  static void bridgeFramed(NetSocket client, NetSocket agent, DetachKeys keys) {
    copyFramed(agent, client);
    clientInput(client, keys, agent::write, agent::close);
    agent.resume();
  }

  /**
   * An exec's streams for a client that must not get output in the read that brings it the 101 (see
   * {@code Http.upgradeGraceMillis}): the agent's output (framed as stdout when {@code frame}) is
   * held for {@code graceMillis}, then flows; an end that comes meanwhile is kept too.
   */
  static void bridgeAfter(
      Vertx vertx,
      long graceMillis,
      NetSocket client,
      NetSocket agent,
      Buffer early,
      boolean frame,
      DetachKeys keys) {
    Buffer held = Buffer.buffer();
    if (early.length() > 0) {
      held.appendBuffer(frame ? stdoutFrame(early) : early);
    }
    boolean[] open = {false};
    boolean[] ended = {false};
    agent.handler(
        b -> {
          Buffer out = frame ? stdoutFrame(b) : b;
          if (!open[0]) {
            held.appendBuffer(out);
            return;
          }
          client.write(out);
          if (client.writeQueueFull()) {
            agent.pause();
            client.drainHandler(v -> agent.resume());
          }
        });
    agent.endHandler(
        v -> {
          if (open[0]) {
            client.end();
          } else {
            ended[0] = true;
          }
        });
    clientInput(client, keys, agent::write, agent::close);
    vertx.setTimer(
        graceMillis,
        t -> {
          open[0] = true;
          if (held.length() > 0) {
            client.write(held);
          }
          if (ended[0]) {
            client.end();
          }
        });
    agent.resume();
  }

  /** Copies raw output as stdout frames, with backpressure; ends {@code to} when it ends. */
  static void copyFramed(ReadStream<Buffer> from, WriteStream<Buffer> to) {
    from.handler(
        b -> {
          to.write(stdoutFrame(b));
          if (to.writeQueueFull()) {
            from.pause();
            to.drainHandler(v -> from.resume());
          }
        });
    from.endHandler(v -> to.end());
  }

  static Buffer stdoutFrame(Buffer raw) {
    return Buffer.buffer(8 + raw.length())
        .appendByte((byte) 1)
        .appendBytes(new byte[3])
        .appendInt(raw.length())
        .appendBuffer(raw);
  }

  /**
   * The client's input, as length-prefixed chunks to {@code send} (an empty one when the client
   * half-closes); typing the detach keys or closing the connection ends the session ({@code gone}).
   */
  private static void clientInput(
      NetSocket client, DetachKeys keys, Consumer<Buffer> send, Runnable gone) {
    client.handler(
        buf -> {
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
   * Output from the agent as it comes; input to it as length-prefixed chunks, an empty one when the
   * client half-closes. Input is kept until the agent acknowledges it, and what a link did not
   * acknowledge is sent again on the next one, so input typed across a restart of the agent is
   * delivered (at least once). With detach keys, typing them ends the client's session (the
   * container runs on).
   */
  static void bridge(
      Vertx vertx,
      NetSocket client,
      ResumingStream.Link first,
      LongFunction<Future<ResumingStream.Link>> open,
      DetachKeys keys) {
    ArrayDeque<Buffer> unacked = new ArrayDeque<>();
    long[] acked = {0}; // input bytes of the current link acknowledged so far
    ResumingStream rs = new ResumingStream(vertx, client, open, client::end);
    rs.onAck(
        n -> {
          while (!unacked.isEmpty() && acked[0] + unacked.peek().length() <= n) {
            acked[0] += unacked.poll().length();
          }
          if (unacked.size() < 1024) {
            client.resume();
          }
        });
    rs.onLink(
        () -> {
          acked[0] = 0;
          unacked.forEach(b -> rs.input().write(b));
          client.resume();
        });
    clientInput(
        client,
        keys,
        b -> {
          unacked.add(b);
          WriteStream<Buffer> agent = rs.input();
          if (agent != null) {
            agent.write(b);
          }
          if (agent == null || unacked.size() >= 1024) {
            client.pause(); // until the agent is back, or has caught up
          }
        },
        rs::clientGone);
    rs.start(first);
  }
}
