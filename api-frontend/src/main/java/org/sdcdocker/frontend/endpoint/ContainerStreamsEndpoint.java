package org.sdcdocker.frontend.endpoint;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;
import java.util.function.LongFunction;
import org.sdcdocker.bus.Tls;
import org.sdcdocker.frontend.cluster.Containers;
import org.sdcdocker.frontend.http.Http;
import org.sdcdocker.protocol.DockerException;
import org.sdcdocker.protocol.ErrorKind;
import org.sdcdocker.protocol.agent.ZoneRecord;

/**
 * A container's byte streams: its logs, and attach (hijacked HTTP, or a WebSocket), each piped from
 * the data plane of the container's agent.
 */
public final class ContainerStreamsEndpoint {
  private final Vertx vertx;
  private final Containers backend;
  private final StreamProxy streams;

  public ContainerStreamsEndpoint(Vertx vertx, Containers backend, Tls tls) {
    this.vertx = vertx;
    this.backend = backend;
    this.streams = new StreamProxy(vertx, tls);
  }

  /** The routes, as a table. */
  public void mount(Router r) {
    String id = "/containers/(?<id>[^/]+)";
    Http.route(r, HttpMethod.GET, id + "/logs").handler(this::getLogs);
    Http.hijackable(r, id + "/attach").handler(this::postAttach);
    Http.route(r, HttpMethod.GET, id + "/attach/ws").handler(this::attachWebSocket);
  }

  private void getLogs(RoutingContext ctx) {
    if (!Http.flag(ctx, "stdout") && !Http.flag(ctx, "stderr")) {
      ctx.fail(DockerException.invalid("Bad parameters: you must choose at least one stream"));
      return;
    }
    String tail = ctx.request().getParam("tail");
    if (tail != null && !tail.isEmpty() && !tail.equals("all") && !tail.matches("[0-9]+")) {
      ctx.fail(DockerException.invalid("invalid value for \"tail\": %s", tail));
      return;
    }
    ZoneRecord rec = Found.container(ctx, backend);
    if (rec == null) {
      return;
    }
    if (!rec.spec().host().log().readable()) {
      ctx.fail(
          new DockerException(
              ErrorKind.NOT_IMPLEMENTED, "configured logging driver does not support reading"));
      return;
    }
    String type =
        rec.spec().tty() || !Http.version(ctx).atLeast(1, 42)
            ? "application/vnd.docker.raw-stream"
            : "application/vnd.docker.multiplexed-stream";
    if (Http.flag(ctx, "follow")) { // followed logs go on across a restart of the agent
      String q = ctx.request().query() + "&resumable=1" + Http.frames(ctx);
      LongFunction<Future<ResumingStream.Link>> open =
          off ->
              backend
                  .streamTicket(rec, "logs", q + (off >= 0 ? "&offset=" + off : ""))
                  .compose(streams::link);
      open.apply(-1)
          .onFailure(ctx::fail)
          .onSuccess(
              first -> {
                // the head goes at once, as Docker's: a client may act on it (docker-py inspects
                // the container) while no line it asked for has come yet
                ctx.response()
                    .setChunked(true)
                    .putHeader("Content-Type", type)
                    .setStatusCode(200)
                    .writeHead();
                ResumingStream rs =
                    new ResumingStream(vertx, ctx.response(), open, () -> ctx.response().end());
                ctx.response().closeHandler(v -> rs.clientGone());
                rs.start(first);
              });
      return;
    }
    backend
        .streamTicket(rec, "logs", ctx.request().query() + Http.frames(ctx))
        .compose(streams::open)
        .onFailure(ctx::fail)
        .onSuccess(
            from -> {
              ctx.response().setChunked(true).putHeader("Content-Type", type).setStatusCode(200);
              StreamProxy.pipe(from, ctx.response());
            });
  }

  /**
   * The client's connection is hijacked; output is the run's log, followed by the agent; with
   * stdin, input goes to conmon's attach socket through the agent.
   */
  private void postAttach(RoutingContext ctx) {
    ZoneRecord rec = Found.container(ctx, backend);
    if (rec == null) {
      return;
    }
    if (rec.state().paused()) {
      ctx.fail(
          DockerException.conflict("You cannot attach to a paused container, unpause it first"));
      return;
    }
    boolean stdin = Http.flag(ctx, "stdin") && rec.spec().openStdin();
    DetachKeys keys;
    try {
      keys = stdin ? DetachKeys.parse(ctx.request().getParam("detachKeys")) : null;
    } catch (RuntimeException e) {
      ctx.fail(e);
      return;
    }
    String query =
        "stdout="
            + (Http.flag(ctx, "stdout") ? 1 : 0)
            + "&stderr="
            + (Http.flag(ctx, "stderr") ? 1 : 0)
            + "&stdin="
            + (stdin ? 1 : 0)
            + Http.frames(ctx);
    String type =
        rec.spec().tty()
            ? "application/vnd.docker.raw-stream"
            : "application/vnd.docker.multiplexed-stream";
    boolean upgrade = Http.hijack(ctx);
    backend.event("attach", rec, Map.of());
    if (!Http.flag(ctx, "stream")) {
      replayAttach(ctx, rec, type, upgrade);
      return;
    }
    // an attach goes on across a restart of the agent: the stream is taken up where it was cut
    String resumable = query + "&resumable=1";
    LongFunction<Future<ResumingStream.Link>> open =
        off -> {
          String q = resumable + (off >= 0 ? "&offset=" + off : "");
          return stdin && upgrade
              ? backend.streamTicket(rec, "attach", q).compose(streams::connectLink)
              : backend.streamTicket(rec, "attach", q).compose(streams::link);
        };
    open.apply(Http.flag(ctx, "logs") ? 0 : -1)
        .onFailure(ctx::fail)
        .onSuccess(
            first -> { // logs=1: from the start
              first.in().pause();
              if (stdin && upgrade) {
                ctx.request()
                    .toNetSocket()
                    .onFailure(ctx::fail)
                    .onSuccess(client -> StreamProxy.bridge(vertx, client, first, open, keys));
              } else if (upgrade) {
                ctx.request()
                    .toNetSocket()
                    .onFailure(ctx::fail)
                    .onSuccess(
                        sock -> {
                          ResumingStream rs = new ResumingStream(vertx, sock, open, sock::end);
                          sock.closeHandler(v -> rs.clientGone());
                          Http.afterUpgrade(vertx, ctx, () -> rs.start(first));
                        });
              } else {
                ctx.response().setChunked(true).putHeader("Content-Type", type).setStatusCode(200);
                ResumingStream rs =
                    new ResumingStream(vertx, ctx.response(), open, () -> ctx.response().end());
                ctx.response().closeHandler(v -> rs.clientGone());
                rs.start(first);
              }
            });
  }

  /**
   * An attach without {@code stream}: the output logged so far when {@code logs} is set, else
   * nothing, and then the end, as Docker's (docker-py attaches so by default).
   */
  private void replayAttach(RoutingContext ctx, ZoneRecord rec, String type, boolean upgrade) {
    String query =
        "stdout="
            + (Http.flag(ctx, "stdout") ? 1 : 0)
            + "&stderr="
            + (Http.flag(ctx, "stderr") ? 1 : 0)
            + Http.frames(ctx);
    Future<HttpClientResponse> logged =
        Http.flag(ctx, "logs")
            ? backend.streamTicket(rec, "logs", query).compose(streams::open)
            : Future.succeededFuture();
    logged
        .onFailure(ctx::fail)
        .onSuccess(
            from -> {
              if (upgrade) {
                ctx.request()
                    .toNetSocket()
                    .onFailure(ctx::fail)
                    .onSuccess(
                        sock -> {
                          if (from == null) {
                            sock.end();
                          } else {
                            Http.afterUpgrade(vertx, ctx, () -> StreamProxy.pipe(from, sock));
                          }
                        });
                return;
              }
              ctx.response().setChunked(true).putHeader("Content-Type", type).setStatusCode(200);
              if (from == null) {
                ctx.response().end();
              } else {
                StreamProxy.pipe(from, ctx.response());
              }
            });
  }

  /**
   * {@code GET /containers/{id}/attach/ws}: the container's output as WebSocket messages, raw (no
   * stream headers), as Docker's; {@code logs=1} sends what was logged first. Input over the
   * WebSocket is not taken (the hijacked attach takes it).
   */
  private void attachWebSocket(RoutingContext ctx) {
    ZoneRecord rec = Found.container(ctx, backend);
    if (rec == null) {
      return;
    }
    String query =
        "stdout="
            + (Http.flag(ctx, "stdout") ? 1 : 0)
            + "&stderr="
            + (Http.flag(ctx, "stderr") ? 1 : 0)
            + (Http.flag(ctx, "logs") ? "&offset=0" : "");
    boolean stream = Http.flag(ctx, "stream");
    ctx.request()
        .toWebSocket()
        .onFailure(ctx::fail)
        .onSuccess(
            ws -> {
              ws.pause();
              backend
                  .streamTicket(rec, stream ? "attach" : "logs", query)
                  .compose(streams::open)
                  .onFailure(e -> ws.close((short) 1011, DockerException.of(e).getMessage()))
                  .onSuccess(
                      from -> {
                        backend.event("attach", rec, Map.of());
                        Deframer raw = new Deframer(rec.spec().tty());
                        from.handler(
                            b -> {
                              Buffer out = raw.payload(b);
                              if (out.length() > 0) {
                                ws.writeBinaryMessage(out);
                              }
                            });
                        from.endHandler(v -> ws.close());
                        from.resume();
                        ws.closeHandler(v -> from.request().connection().close());
                      });
            });
  }

  /**
   * Docker's multiplexed stream back to its bytes (a TTY container's stream has no headers to take
   * off).
   */
  static final class Deframer {
    private final boolean raw;
    private Buffer pending = Buffer.buffer();

    Deframer(boolean raw) {
      this.raw = raw;
    }

    /** The payload bytes of the whole frames so far; a frame cut by the read waits for its rest. */
    Buffer payload(Buffer in) {
      if (raw) {
        return in;
      }
      pending.appendBuffer(in);
      Buffer out = Buffer.buffer();
      int pos = 0;
      while (pending.length() - pos >= 8) {
        int len = pending.getInt(pos + 4);
        if (len < 0 || pending.length() - pos - 8 < len) {
          break;
        }
        out.appendBuffer(pending.getBuffer(pos + 8, pos + 8 + len));
        pos += 8 + len;
      }
      pending = pending.getBuffer(pos, pending.length());
      return out;
    }
  }
}
