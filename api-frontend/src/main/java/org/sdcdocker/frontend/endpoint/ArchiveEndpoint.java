package org.sdcdocker.frontend.endpoint;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import org.sdcdocker.bus.Tls;
import org.sdcdocker.frontend.cluster.Containers;
import org.sdcdocker.frontend.http.Http;
import org.sdcdocker.protocol.DockerException;
import org.sdcdocker.protocol.ErrorKind;
import org.sdcdocker.protocol.Json;
import org.sdcdocker.protocol.agent.AgentRequests.PathStat;
import org.sdcdocker.protocol.agent.ZoneRecord;

/** {@code docker cp}: HEAD, GET and PUT of {@code /containers/{id}/archive}. */
public final class ArchiveEndpoint {
  private static final String STAT_HEADER = "X-Docker-Container-Path-Stat";

  private final Containers backend;
  private final StreamProxy streams;
  private final HttpClient client;

  public ArchiveEndpoint(Vertx vertx, Containers backend, Tls tls) {
    this.backend = backend;
    this.streams = new StreamProxy(vertx, tls);
    this.client =
        tls == null
            ? vertx.createHttpClient()
            : vertx.createHttpClient(tls.client(new HttpClientOptions()));
  }

  /** The routes, as a table. */
  public void mount(Router r) {
    String path = "/containers/(?<id>[^/]+)/archive";
    Http.route(r, HttpMethod.HEAD, path).handler(this::headArchive);
    Http.route(r, HttpMethod.GET, path).handler(this::getArchive);
    Http.route(r, HttpMethod.PUT, path).handler(this::putArchive);
  }

  private static String path(RoutingContext ctx) {
    String p = ctx.request().getParam("path");
    if (p == null || p.isEmpty()) {
      throw DockerException.invalid("path cannot be empty");
    }
    return p.startsWith("/") ? p : "/" + p;
  }

  private Future<PathStat> stat(RoutingContext ctx) {
    ZoneRecord r = backend.get(Accounts.of(ctx), ctx.pathParam("id"));
    return backend
        .statPath(r, path(ctx))
        .onSuccess(st -> ctx.response().putHeader(STAT_HEADER, header(st)));
  }

  static String header(PathStat st) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", st.name());
    m.put("size", st.size());
    m.put("mode", st.mode());
    m.put("mtime", st.mtime());
    m.put("linkTarget", st.linkTarget());
    return Base64.getEncoder().encodeToString(Json.bytes(m));
  }

  private void headArchive(RoutingContext ctx) {
    try {
      stat(ctx).onFailure(ctx::fail).onSuccess(st -> ctx.response().setStatusCode(200).end());
    } catch (RuntimeException e) {
      ctx.fail(e);
    }
  }

  private void getArchive(RoutingContext ctx) {
    try {
      ZoneRecord r = backend.get(Accounts.of(ctx), ctx.pathParam("id"));
      String query = "path=" + URLEncoder.encode(path(ctx), StandardCharsets.UTF_8);
      stat(ctx)
          .compose(st -> backend.streamTicket(r, "archive", query))
          .compose(streams::open)
          .onFailure(ctx::fail)
          .onSuccess(
              from -> {
                backend.event("archive-path", r, Map.of("path", path(ctx)));
                ctx.response()
                    .setChunked(true)
                    .putHeader("Content-Type", "application/x-tar")
                    .setStatusCode(200);
                StreamProxy.pipe(from, ctx.response());
              });
    } catch (RuntimeException e) {
      ctx.fail(e);
    }
  }

  /** The client's tar goes as it comes to the agent, which extracts it into the directory. */
  private void putArchive(RoutingContext ctx) {
    ctx.request().pause();
    try {
      ZoneRecord r = backend.get(Accounts.of(ctx), ctx.pathParam("id"));
      String copy = ctx.request().getParam("copyUIDGID", "");
      String query =
          "path="
              + URLEncoder.encode(path(ctx), StandardCharsets.UTF_8)
              + "&copyUIDGID="
              + URLEncoder.encode(copy, StandardCharsets.UTF_8);
      backend
          .streamTicket(r, "extract", query)
          .compose(
              url ->
                  client.request(
                      new RequestOptions().setMethod(HttpMethod.PUT).setAbsoluteURI(url)))
          .compose(req -> req.send(ctx.request()))
          .compose(
              resp ->
                  resp.body()
                      .map(
                          body -> {
                            if (resp.statusCode() == 200) {
                              backend.event("extract-to-dir", r, Map.of("path", path(ctx)));
                              return 200;
                            }
                            String kind = resp.getHeader("X-Sdc-Error-Kind");
                            String msg =
                                Json.decode(body.getBytes(), Map.class)
                                    .getOrDefault("message", "extraction failed")
                                    .toString();
                            throw new DockerException(
                                kind == null ? ErrorKind.INTERNAL : ErrorKind.valueOf(kind), msg);
                          }))
          .onFailure(ctx::fail)
          .onSuccess(code -> ctx.response().setStatusCode(200).end());
    } catch (RuntimeException e) {
      ctx.fail(e);
    }
  }
}
