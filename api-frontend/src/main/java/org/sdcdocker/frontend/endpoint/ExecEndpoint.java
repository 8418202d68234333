package org.sdcdocker.frontend.endpoint;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.net.NetSocket;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.LinkedHashMap;
import java.util.Map;
import org.sdcdocker.bus.Tls;
import org.sdcdocker.frontend.cluster.ExecBackend;
import org.sdcdocker.frontend.http.Http;
import org.sdcdocker.frontend.translate.ExecOptions;
import org.sdcdocker.protocol.agent.ExecRecords.ExecSpec;
import org.sdcdocker.protocol.agent.ExecRecords.ExecState;

/** {@code docker exec}: create, start (hijacked, or detached), inspect, resize. */
public final class ExecEndpoint {
  private final ExecBackend backend;
  private final ExecLinks links;
  private final Vertx vertx;

  public ExecEndpoint(Vertx vertx, ExecBackend backend, Tls tls) {
    this.vertx = vertx;
    this.backend = backend;
    this.links = new ExecLinks(backend, new StreamProxy(vertx, tls));
  }

  /** The routes, as a table. */
  public void mount(Router r) {
    Http.route(r, HttpMethod.POST, "/containers/(?<id>[^/]+)/exec")
        .handler(BodyHandler.create().setBodyLimit(1 << 20))
        .handler(Http.json(201, this::postContainerExec));
    Http.hijackable(r, "/exec/(?<id>[^/]+)/start", 1 << 16).handler(this::postExecStart);
    Http.route(r, HttpMethod.POST, "/exec/(?<id>[^/]+)/resize")
        .handler(Http.empty(200, this::postExecResize));
    Http.route(r, HttpMethod.GET, "/exec/(?<id>[^/]+)/json")
        .handler(Http.json(200, this::getExecJson));
  }

  private Future<Map<String, Object>> postContainerExec(RoutingContext ctx) {
    ExecOptions options = ExecOptions.decode(body(ctx));
    ExecSpec spec = options.spec();
    String keys = options.detachKeys();
    DetachKeys.parse(keys); // refused now, as Docker's, when they are not keys
    return backend
        .create(Accounts.of(ctx), ctx.pathParam("id"), spec, keys)
        .map(id -> Map.of("Id", id));
  }

  private static JsonNode body(RoutingContext ctx) {
    return Http.jsonObject(ctx, "container.ExecOptions", false);
  }

  private void postExecStart(RoutingContext ctx) {
    String account = Accounts.of(ctx);
    String id = ctx.pathParam("id");
    JsonNode b;
    try {
      b = body(ctx);
      backend.where(account, id);
    } catch (RuntimeException e) {
      ctx.fail(e);
      return;
    }
    if (b.path("Detach").asBoolean(false)) {
      backend
          .startDetached(account, id)
          .onFailure(ctx::fail)
          .onSuccess(st -> ctx.response().setStatusCode(200).end()); // as Docker's: an empty body
      return;
    }
    links
        .start(account, id)
        .onFailure(ctx::fail)
        .onSuccess(
            started -> {
              backend.started(account, id);
              NetSocket agent = started.agent();
              // framed or raw as the start asks (Docker's rule), whatever the exec's own TTY
              boolean frame = backend.tty(id) && !b.path("Tty").asBoolean(false);
              Buffer early =
                  frame && started.early().length() > 0
                      ? StreamProxy.stdoutFrame(started.early())
                      : started.early();
              if (Http.hijack(ctx)) {
                ctx.request()
                    .toNetSocket()
                    .onFailure(
                        e -> {
                          agent.close(); // the exec runs on, its output dropped, as Docker's when
                          // its client went away
                          ctx.fail(e);
                        })
                    .onSuccess(
                        client -> {
                          // an exec with stdin ends its client's session on the detach keys, as an
                          // attach does
                          DetachKeys keys =
                              backend.stdin(id) ? DetachKeys.parse(backend.detachKeys(id)) : null;
                          long grace = Http.upgradeGraceMillis(ctx);
                          if (grace > 0) {
                            StreamProxy.bridgeAfter(
                                vertx, grace, client, agent, started.early(), frame, keys);
                            return;
                          }
                          if (early.length() > 0) {
                            client.write(early);
                          }
                          if (frame) {
                            StreamProxy.bridgeFramed(client, agent, keys);
                          } else {
                            StreamProxy.bridge(client, agent, keys);
                          }
                        });
              } else {
                ctx.response()
                    .setChunked(true)
                    .putHeader("Content-Type", "application/vnd.docker.multiplexed-stream");
                if (early.length() > 0) {
                  ctx.response().write(early);
                }
                ctx.response().closeHandler(v -> agent.close());
                if (frame) {
                  StreamProxy.copyFramed(agent, ctx.response());
                } else {
                  agent.pipeTo(ctx.response());
                }
                agent.resume();
              }
            });
  }

  private Future<Void> postExecResize(RoutingContext ctx) {
    int h = Http.intParam(ctx, "h", 0);
    int w = Http.intParam(ctx, "w", 0);
    return backend.resize(Accounts.of(ctx), ctx.pathParam("id"), h, w);
  }

  private Future<Map<String, Object>> getExecJson(RoutingContext ctx) {
    String account = Accounts.of(ctx);
    return backend.inspect(account, ctx.pathParam("id")).map(st -> view(st));
  }

  private static Map<String, Object> view(ExecState st) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("CanRemove", false);
    m.put("ContainerID", st.zoneId());
    m.put("DetachKeys", "");
    m.put("ExitCode", st.started() && !st.running() ? st.exitCode() : null);
    m.put("ID", st.execId());
    m.put("OpenStderr", st.spec().attachStderr());
    m.put("OpenStdin", st.spec().attachStdin());
    m.put("OpenStdout", st.spec().attachStdout());
    Map<String, Object> pc = new LinkedHashMap<>();
    pc.put("arguments", st.spec().cmd().subList(1, st.spec().cmd().size()));
    pc.put("entrypoint", st.spec().cmd().get(0));
    pc.put("privileged", st.spec().privileged());
    pc.put("tty", st.spec().tty());
    pc.put("user", st.spec().user());
    m.put("ProcessConfig", pc);
    m.put("Running", st.running());
    m.put("Pid", st.pid());
    return m;
  }
}
