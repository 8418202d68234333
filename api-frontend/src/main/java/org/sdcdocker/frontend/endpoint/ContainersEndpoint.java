package org.sdcdocker.frontend.endpoint;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.sdcdocker.frontend.cluster.ContainerBackend;
import org.sdcdocker.frontend.server.Http;
import org.sdcdocker.frontend.translate.ContainerView;
import org.sdcdocker.frontend.translate.Names;
import org.sdcdocker.protocol.DockerException;
import org.sdcdocker.protocol.Json;
import org.sdcdocker.protocol.agent.AgentRequests;
import org.sdcdocker.protocol.agent.ZoneRecord;

/** Containers: create, start, wait, logs, attach, kill, stop, remove, inspect, list. */
public final class ContainersEndpoint {
  private final Vertx vertx;
  private final ContainerBackend backend;
  private final StreamProxy streams;

  public ContainersEndpoint(Vertx vertx, ContainerBackend backend) {
    this.vertx = vertx;
    this.backend = backend;
    this.streams = new StreamProxy(vertx);
  }

  /** The routes, as a table. */
  public void mount(Router r) {
    String id = "/containers/(?<id>[^/]+)";
    Http.route(r, HttpMethod.POST, "/containers/create").handler(BodyHandler.create().setBodyLimit(1 << 20))
        .handler(Http.json(201, this::postContainersCreate));
    Http.route(r, HttpMethod.GET, "/containers/json").handler(Http.json(200, this::getContainersJson));
    Http.route(r, HttpMethod.GET, id + "/json").handler(Http.json(200, this::getContainerJson));
    Http.route(r, HttpMethod.POST, id + "/start").handler(Http.empty(204, this::postStart));
    Http.route(r, HttpMethod.POST, id + "/kill").handler(Http.empty(204, this::postKill));
    Http.route(r, HttpMethod.POST, id + "/stop").handler(Http.empty(204, this::postStop));
    Http.route(r, HttpMethod.POST, id + "/restart").handler(Http.empty(204, this::postRestart));
    Http.route(r, HttpMethod.POST, id + "/rename").handler(Http.empty(204, this::postRename));
    Http.route(r, HttpMethod.POST, id + "/resize").handler(Http.empty(200, this::postResize));
    Http.route(r, HttpMethod.POST, id + "/update").handler(BodyHandler.create().setBodyLimit(1 << 16))
        .handler(Http.json(200, this::postUpdate));
    Http.route(r, HttpMethod.POST, "/containers/prune").handler(Http.json(200, this::postPrune));
    Http.route(r, HttpMethod.POST, id + "/pause").handler(Http.empty(204, ctx -> postPause(ctx, true)));
    Http.route(r, HttpMethod.POST, id + "/unpause").handler(Http.empty(204, ctx -> postPause(ctx, false)));
    Http.route(r, HttpMethod.POST, id + "/wait").handler(this::postWait);
    Http.route(r, HttpMethod.GET, id + "/logs").handler(this::getLogs);
    Http.hijackable(r, id + "/attach").handler(this::postAttach);
    Http.route(r, HttpMethod.GET, id + "/attach/ws").handler(this::attachWebSocket);
    Http.route(r, HttpMethod.DELETE, id).handler(Http.empty(204, this::deleteContainer));
    Http.route(r, HttpMethod.DELETE, "/containers/(?<link>/?[^/]+/[^/]+)") // rm --link /PARENT/ALIAS
        .handler(Http.empty(204, ctx -> backend.unlink(Accounts.of(ctx), ctx.pathParam("link"))));
  }

  private Future<Map<String, Object>> postContainersCreate(RoutingContext ctx) {
    String name = ctx.request().getParam("name");
    if (name != null && !name.isEmpty()) {
      name = Names.validate(name);
    } else {
      name = null;
    }
    if (ctx.body().buffer() == null || ctx.body().length() == 0) {
      throw DockerException.invalid("config cannot be empty in order to create a container");
    }
    JsonNode body = Json.decode(ctx.body().buffer().getBytes(), JsonNode.class);
    if (!body.isNull()) {
      org.sdcdocker.frontend.translate.CreateBodyTypes.check(body);
    }
    List<String> warnings = body.path("HostConfig").path("BlkioWeight").asInt(0) > 0
        ? List.of("Your kernel does not support Block I/O weight or the cgroup is not mounted. Weight discarded.")
        : List.of();
    String platform = ctx.request().getParam("platform");
    var wanted = platform == null || platform.isBlank() ? null : org.sdcdocker.frontend.image.Platform.parse(platform);
    return backend.create(Accounts.of(ctx), body, name, true, wanted)
        .map(rec -> Map.of("Id", rec.spec().id(), "Warnings", warnings));
  }

  private Future<List<Map<String, Object>>> getContainersJson(RoutingContext ctx) {
    boolean all = Http.flag(ctx, "all");
    var filters = ContainerFilters.parse(ctx.request().getParam("filters"));
    var pred = ContainerFilters.predicate(filters, backend.list(Accounts.of(ctx)));
    int limit = Http.intParam(ctx, "limit", -1);
    List<ZoneRecord> chosen = backend.list(Accounts.of(ctx)).stream()
        .filter(r -> all || limit > 0 || r.state().running() || filters.containsKey("status"))
        .filter(pred)
        .sorted(Comparator.comparing((ZoneRecord r) -> r.spec().created()).reversed())
        .limit(limit > 0 ? limit : Long.MAX_VALUE)
        .toList();
    List<Map<String, Object>> out = chosen.stream().map(ContainerView::summary).toList();
    if (!Http.flag(ctx, "size")) {
      return Future.succeededFuture(out);
    }
    List<Future<AgentRequests.SizesResult>> sizes = chosen.stream().map(backend::sizes).toList();
    return Future.join(sizes).transform(ar -> {
      for (int i = 0; i < out.size(); i++) {
        if (sizes.get(i).succeeded()) {
          out.get(i).put("SizeRw", sizes.get(i).result().sizeRw());
          out.get(i).put("SizeRootFs", sizes.get(i).result().sizeRootFs());
        }
      }
      return Future.succeededFuture(out);
    });
  }

  private Future<Map<String, Object>> getContainerJson(RoutingContext ctx) {
    ZoneRecord r = backend.get(Accounts.of(ctx), ctx.pathParam("id"));
    Map<String, Object> m = ContainerView.inspect(r);
    if (!Http.flag(ctx, "size")) {
      return Future.succeededFuture(m);
    }
    return backend.sizes(r).map(s -> {
      m.put("SizeRw", s.sizeRw());
      m.put("SizeRootFs", s.sizeRootFs());
      return m;
    });
  }

  private Future<Integer> postStart(RoutingContext ctx) {
    return backend.start(Accounts.of(ctx), ctx.pathParam("id"));
  }

  private Future<Void> postKill(RoutingContext ctx) {
    int signal = Signals.parse(ctx.request().getParam("signal"));
    return backend.kill(Accounts.of(ctx), ctx.pathParam("id"), signal);
  }

  private Future<Integer> postStop(RoutingContext ctx) {
    ZoneRecord r = backend.get(Accounts.of(ctx), ctx.pathParam("id"));
    return backend.stop(Accounts.of(ctx), ctx.pathParam("id"), stopSignal(ctx, r), stopTimeout(ctx, r));
  }

  /** The signal a stop sends: the request's, else the container's (or its image's), else SIGTERM. */
  private static int stopSignal(RoutingContext ctx, ZoneRecord r) {
    String signal = ctx.request().getParam("signal");
    if (signal != null && !signal.isEmpty()) {
      return Signals.parse(signal);
    }
    return r.spec().host().stopSignal() != null ? Signals.parse(r.spec().host().stopSignal()) : 15;
  }

  /** Seconds before SIGKILL: the request's t, else the container's StopTimeout, else 10. */
  private static int stopTimeout(RoutingContext ctx, ZoneRecord r) {
    int dflt = r.spec().host().stopTimeout() >= 0 ? r.spec().host().stopTimeout() : 10;
    return Http.intParam(ctx, "t", dflt);
  }

  private Future<Void> postRestart(RoutingContext ctx) {
    ZoneRecord r = backend.get(Accounts.of(ctx), ctx.pathParam("id"));
    return backend.restart(Accounts.of(ctx), ctx.pathParam("id"), stopSignal(ctx, r), stopTimeout(ctx, r));
  }

  private Future<Void> postRename(RoutingContext ctx) {
    String name = ctx.request().getParam("name");
    if (name == null || name.isEmpty()) {
      throw DockerException.invalid("Neither old nor new names may be empty");
    }
    return backend.rename(Accounts.of(ctx), ctx.pathParam("id"), Names.validate(name));
  }

  private Future<Map<String, Object>> postUpdate(RoutingContext ctx) {
    JsonNode b = Http.jsonObject(ctx, "container.UpdateConfig", false);
    if (b.path("Memory").asLong(0) > 0 && b.path("Memory").asLong(0) < 6 * 1024 * 1024) {
      throw DockerException.invalid("Minimum memory limit allowed is 6MB");
    }
    org.sdcdocker.protocol.agent.RestartPolicy policy = b.has("RestartPolicy")
        ? org.sdcdocker.frontend.translate.CreateTranslator.restartPolicy(
            Json.MAPPER.createObjectNode().set("RestartPolicy", b.get("RestartPolicy")))
        : null;
    var u = new org.sdcdocker.protocol.agent.AgentRequests.UpdateZone(null, b.path("Memory").asLong(0),
        b.path("MemorySwap").asLong(0), b.path("MemoryReservation").asLong(0), b.path("CpuShares").asLong(0),
        b.path("NanoCpus").asLong(0), b.path("PidsLimit").asLong(0), policy);
    return backend.update(Accounts.of(ctx), ctx.pathParam("id"), u).map(rec -> Map.of("Warnings", List.of()));
  }

  private Future<Map<String, Object>> postPrune(RoutingContext ctx) {
    var filters = ContainerFilters.parse(ctx.request().getParam("filters"));
    return backend.prune(Accounts.of(ctx), ContainerFilters.predicate(filters, backend.list(Accounts.of(ctx))))
        .map(ids -> Map.of("ContainersDeleted", ids, "SpaceReclaimed", 0));
  }

  private Future<Void> postResize(RoutingContext ctx) {
    int h = Http.intParam(ctx, "h", 0);
    int w = Http.intParam(ctx, "w", 0);
    return backend.resize(Accounts.of(ctx), ctx.pathParam("id"), h, w);
  }

  private Future<Void> postPause(RoutingContext ctx, boolean pause) {
    return backend.pause(Accounts.of(ctx), ctx.pathParam("id"), pause);
  }

  private Future<Void> deleteContainer(RoutingContext ctx) {
    if (Http.flag(ctx, "link")) {
      return backend.unlink(Accounts.of(ctx), ctx.pathParam("id"));
    }
    return backend.remove(Accounts.of(ctx), ctx.pathParam("id"), Http.flag(ctx, "force"), Http.flag(ctx, "v"));
  }

  /** Headers go out at once, so a client knows its wait is registered before it starts the container. */
  private void postWait(RoutingContext ctx) {
    String condition = ctx.request().getParam("condition");
    Future<ZoneRecord> done;
    try {
      done = backend.waitFor(Accounts.of(ctx), ctx.pathParam("id"), condition == null ? "not-running" : condition);
    } catch (RuntimeException e) {
      ctx.fail(e);
      return;
    }
    ctx.response().setChunked(true).putHeader("Content-Type", "application/json").setStatusCode(200);
    ctx.response().writeHead();
    done.onComplete(ar -> {
      Object body = ar.succeeded()
          ? waitBody(ar.result())
          : Map.of("StatusCode", -1, "Error", Map.of("Message", DockerException.of(ar.cause()).getMessage()));
      ctx.response().end(Json.encode(body) + "\n");
    });
  }

  private static Map<String, Object> waitBody(ZoneRecord r) {
    String err = r.state().error();
    java.util.LinkedHashMap<String, Object> m = new java.util.LinkedHashMap<>();
    m.put("StatusCode", r.state().exitCode());
    m.put("Error", err == null || err.isEmpty() ? null : Map.of("Message", err));
    return m;
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
      ctx.fail(new DockerException(org.sdcdocker.protocol.ErrorKind.NOT_IMPLEMENTED,
          "configured logging driver does not support reading"));
      return;
    }
    String type = rec.spec().tty() || !Http.version(ctx).atLeast(1, 42)
        ? "application/vnd.docker.raw-stream" : "application/vnd.docker.multiplexed-stream";
    if (Http.flag(ctx, "follow")) { // followed logs go on across a restart of the agent
      String q = ctx.request().query() + "&resumable=1" + Http.frames(ctx);
      java.util.function.LongFunction<io.vertx.core.Future<ResumingStream.Link>> open = off ->
          backend.streamTicket(rec, "logs", q + (off >= 0 ? "&offset=" + off : "")).compose(streams::link);
      open.apply(-1).onFailure(ctx::fail).onSuccess(first -> {
        ctx.response().setChunked(true).putHeader("Content-Type", type).setStatusCode(200);
        ResumingStream rs = new ResumingStream(vertx, ctx.response(), open, () -> ctx.response().end());
        ctx.response().closeHandler(v -> rs.clientGone());
        rs.start(first);
      });
      return;
    }
    backend.streamTicket(rec, "logs", ctx.request().query() + Http.frames(ctx))
        .compose(streams::open)
        .onFailure(ctx::fail)
        .onSuccess(from -> {
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
      ctx.fail(DockerException.conflict("You cannot attach to a paused container, unpause it first"));
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
    String query = "stdout=" + (Http.flag(ctx, "stdout") ? 1 : 0) + "&stderr=" + (Http.flag(ctx, "stderr") ? 1 : 0)
        + "&stdin=" + (stdin ? 1 : 0) + Http.frames(ctx);
    String type = rec.spec().tty() ? "application/vnd.docker.raw-stream" : "application/vnd.docker.multiplexed-stream";
    boolean upgrade = Http.hijack(ctx);
    backend.event("attach", rec, Map.of());
    if (!Http.flag(ctx, "stream")) {
      replayAttach(ctx, rec, type, upgrade);
      return;
    }
    // an attach goes on across a restart of the agent: the stream is taken up where it was cut
    String resumable = query + "&resumable=1";
    java.util.function.LongFunction<io.vertx.core.Future<ResumingStream.Link>> open = off -> {
      String q = resumable + (off >= 0 ? "&offset=" + off : "");
      return stdin && upgrade ? backend.streamTicket(rec, "attach", q).compose(streams::connectLink)
          : backend.streamTicket(rec, "attach", q).compose(streams::link);
    };
    open.apply(Http.flag(ctx, "logs") ? 0 : -1).onFailure(ctx::fail).onSuccess(first -> { // logs=1: from the start
      first.in().pause();
      if (stdin && upgrade) {
        ctx.request().toNetSocket().onFailure(ctx::fail)
            .onSuccess(client -> StreamProxy.bridge(vertx, client, first, open, keys));
      } else if (upgrade) {
        ctx.request().toNetSocket().onFailure(ctx::fail).onSuccess(sock -> {
          ResumingStream rs = new ResumingStream(vertx, sock, open, sock::end);
          sock.closeHandler(v -> rs.clientGone());
          rs.start(first);
        });
      } else {
        ctx.response().setChunked(true).putHeader("Content-Type", type).setStatusCode(200);
        ResumingStream rs = new ResumingStream(vertx, ctx.response(), open, () -> ctx.response().end());
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
    String query = "stdout=" + (Http.flag(ctx, "stdout") ? 1 : 0) + "&stderr=" + (Http.flag(ctx, "stderr") ? 1 : 0)
        + Http.frames(ctx);
    io.vertx.core.Future<io.vertx.core.http.HttpClientResponse> logged = Http.flag(ctx, "logs")
        ? backend.streamTicket(rec, "logs", query).compose(streams::open) : io.vertx.core.Future.succeededFuture();
    logged.onFailure(ctx::fail).onSuccess(from -> {
      if (upgrade) {
        ctx.request().toNetSocket().onFailure(ctx::fail).onSuccess(sock -> {
          if (from == null) {
            sock.end();
          } else {
            StreamProxy.pipe(from, sock);
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
   * {@code GET /containers/{id}/attach/ws}: the container's output as WebSocket messages, raw
   * (no stream headers), as Docker's; {@code logs=1} sends what was logged first. Input over the
   * WebSocket is not taken (the hijacked attach takes it).
   */
  private void attachWebSocket(RoutingContext ctx) {
    ZoneRecord rec = Found.container(ctx, backend);
    if (rec == null) {
      return;
    }
    String query = "stdout=" + (Http.flag(ctx, "stdout") ? 1 : 0) + "&stderr=" + (Http.flag(ctx, "stderr") ? 1 : 0)
        + (Http.flag(ctx, "logs") ? "&offset=0" : "");
    boolean stream = Http.flag(ctx, "stream");
    ctx.request().toWebSocket().onFailure(ctx::fail).onSuccess(ws -> {
      ws.pause();
      backend.streamTicket(rec, stream ? "attach" : "logs", query).compose(streams::open)
          .onFailure(e -> ws.close((short) 1011, DockerException.of(e).getMessage()))
          .onSuccess(from -> {
            backend.event("attach", rec, Map.of());
            Deframer raw = new Deframer(rec.spec().tty());
            from.handler(b -> {
              io.vertx.core.buffer.Buffer out = raw.payload(b);
              if (out.length() > 0) {
                ws.writeBinaryMessage(out);
              }
            });
            from.endHandler(v -> ws.close());
            ws.closeHandler(v -> from.request().connection().close());
          });
    });
  }

  /** Docker's multiplexed stream back to its bytes (a TTY container's stream has no headers to take off). */
  static final class Deframer {
    private final boolean raw;
    private io.vertx.core.buffer.Buffer pending = io.vertx.core.buffer.Buffer.buffer();

    Deframer(boolean raw) {
      this.raw = raw;
    }

    /** The payload bytes of the whole frames so far; a frame cut by the read waits for its rest. */
    io.vertx.core.buffer.Buffer payload(io.vertx.core.buffer.Buffer in) {
      if (raw) {
        return in;
      }
      pending.appendBuffer(in);
      io.vertx.core.buffer.Buffer out = io.vertx.core.buffer.Buffer.buffer();
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
