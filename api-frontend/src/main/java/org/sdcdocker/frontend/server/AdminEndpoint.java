package org.sdcdocker.frontend.server;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.Router;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.sdcdocker.frontend.cluster.Containers;
import org.sdcdocker.frontend.cluster.EventLog;
import org.sdcdocker.frontend.http.Http;
import org.sdcdocker.frontend.metrics.AdminMetrics;
import org.sdcdocker.protocol.DockerException;
import org.sdcdocker.protocol.agent.AgentEvents.Heartbeat;
import org.sdcdocker.protocol.agent.ZoneRecord;

/**
 * The operators' API (what {@code sdc-dockeradm} talks to), on a unix socket only root may open,
 * never on the tenants' listeners: the compute nodes as this front end knows them, and the
 * forgetting of one that will not return; where a container is; accounts, keys and certificates
 * ({@link AccountsAdmin}); packages ({@link PackagesAdmin}); the fleet's dashboard ({@link
 * Dashboard}). Errors are Docker's shape ({@code {"message": ...}}).
 */
final class AdminEndpoint {
  private AdminEndpoint() {}

  /**
   * Listens on {@code socket}: its directory is made root-only when this makes it, and the socket
   * itself is made root-only before the listener is reported ready.
   */
  static Future<HttpServer> listen(
      Vertx vertx,
      Path socket,
      Containers containers,
      AccountsAdmin accounts,
      PackagesAdmin packages,
      EventLog events,
      Callable<Map<String, Object>> status) {
    Router router = Router.router(vertx);
    // the dashboard brings browsers here (through an SSH tunnel): a page of another site must not
    // change anything through the operator's browser, and browsers say where a request came from
    router
        .route()
        .handler(
            ctx -> {
              HttpMethod m = ctx.request().method();
              if (!m.equals(HttpMethod.GET)
                  && !m.equals(HttpMethod.HEAD)
                  && ctx.request().getHeader("Origin") != null) {
                ctx.fail(
                    DockerException.forbidden(
                        "the admin API takes no changes from web pages (this one came from %s)",
                        ctx.request().getHeader("Origin")));
              } else {
                ctx.next();
              }
            });
    new Dashboard(containers, events, () -> nodes(containers)).mount(router);
    accounts.mount(router);
    packages.mount(router);
    router.get("/status").handler(Http.json(200, ctx -> vertx.executeBlocking(status)));
    router.get("/nodes").handler(Http.json(200, ctx -> Future.succeededFuture(nodes(containers))));
    router
        .get("/containers/:ref/where")
        .handler(Http.json(200, ctx -> where(containers, ctx.pathParam("ref"))));
    AdminMetrics metrics = new AdminMetrics(containers);
    router
        .get("/metrics")
        .handler(
            ctx ->
                ctx.response()
                    .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
                    .end(metrics.scrape()));
    router.get("/routes").handler(Http.json(200, ctx -> Future.succeededFuture(Http.routes())));
    router
        .delete("/nodes/:uuid")
        .handler(
            Http.json(
                200,
                ctx -> {
                  String uuid = ctx.pathParam("uuid");
                  int n = containers.forgetNode(uuid);
                  Map<String, Object> out = new LinkedHashMap<>();
                  out.put("Forgotten", uuid);
                  out.put("Containers", n);
                  return Future.succeededFuture(out);
                }));
    router
        .postWithRegex("/nodes/(?<uuid>[^/]+)/(?<change>reserve|unreserve)")
        .handler(
            Http.json(
                200,
                ctx -> {
                  boolean reserve = ctx.pathParam("change").equals("reserve");
                  return containers
                      .reserveNode(ctx.pathParam("uuid"), reserve)
                      .map(v -> Map.of("UUID", ctx.pathParam("uuid"), "Reserved", reserve));
                }));
    router.route().handler(ctx -> ctx.fail(DockerException.notFound("page not found")));
    router.route().failureHandler(Http::fail);
    try {
      Path dir = socket.toAbsolutePath().getParent();
      if (!Files.isDirectory(dir)) {
        Files.createDirectories(
            dir,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      }
      Files.deleteIfExists(socket);
    } catch (IOException e) {
      return Future.failedFuture(e);
    }
    return vertx
        .createHttpServer()
        .requestHandler(router)
        .listen(SocketAddress.domainSocketAddress(socket.toString()))
        .compose(
            server ->
                vertx.executeBlocking(
                    () -> {
                      Files.setPosixFilePermissions(
                          socket, PosixFilePermissions.fromString("rw-------"));
                      return server;
                    }));
  }

  /**
   * Where a container is (any account's: by id, a unique prefix of one, or a name only one account
   * uses): its node, and from its agent its zone directory, init log and processes.
   */
  private static Future<Map<String, Object>> where(Containers containers, String ref) {
    List<ZoneRecord> all = List.copyOf(containers.all());
    List<ZoneRecord> found = all.stream().filter(r -> r.spec().id().equals(ref)).toList();
    if (found.isEmpty()) {
      found = all.stream().filter(r -> r.spec().id().startsWith(ref)).toList();
    }
    if (found.isEmpty()) {
      found = all.stream().filter(r -> r.spec().name().equals(ref)).toList();
    }
    if (found.isEmpty()) {
      throw DockerException.notFound("No such container: %s", ref);
    }
    if (found.size() > 1) {
      throw DockerException.conflict(
          "%s names %d containers (of accounts %s): give its id",
          ref, found.size(), found.stream().map(r -> r.spec().owner()).distinct().toList());
    }
    ZoneRecord r = found.get(0);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("Id", r.spec().id());
    m.put("Name", r.spec().name());
    m.put("Account", r.spec().owner());
    m.put("State", r.state().status());
    m.put("Node", r.cnUuid());
    Heartbeat hb = containers.heartbeat(r.cnUuid());
    m.put("Hostname", hb == null ? "" : hb.hostname());
    return containers
        .where(r)
        .map(
            w -> {
              m.put("ZoneDirectory", w.zoneDirectory());
              m.put("InitLog", w.initLog());
              m.put("ConmonPid", w.conmonPid());
              m.put("Pid", w.pid());
              return m;
            });
  }

  /** Each known node: what {@code sdc-dockeradm node ls} shows. */
  private static List<Map<String, Object>> nodes(Containers containers) {
    return containers.knownNodes().stream()
        .map(
            n -> {
              Map<String, Object> m = new LinkedHashMap<>();
              m.put("UUID", n.heartbeat().cnUuid());
              m.put("Hostname", n.heartbeat().hostname());
              m.put("State", n.live() ? "running" : "unknown");
              m.put("Reserved", n.heartbeat().reserved());
              m.put("Containers", n.containers());
              m.put("Running", n.running());
              m.put("MemoryBytes", n.heartbeat().memoryBytes());
              m.put("ReservedMemoryBytes", n.reservedMemory());
              m.put("Cpus", n.heartbeat().cpus());
              m.put("LastHeartbeatSecondsAgo", n.lastHeardSeconds());
              return m;
            })
        .toList();
  }
}
