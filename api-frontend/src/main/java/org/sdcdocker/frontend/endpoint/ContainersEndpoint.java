package org.sdcdocker.frontend.endpoint;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sdcdocker.frontend.cluster.Containers;
import org.sdcdocker.frontend.cluster.Outcome;
import org.sdcdocker.frontend.http.Http;
import org.sdcdocker.frontend.image.Platform;
import org.sdcdocker.frontend.translate.ContainerView;
import org.sdcdocker.frontend.translate.CreateBody;
import org.sdcdocker.frontend.translate.CreateTranslator;
import org.sdcdocker.frontend.translate.Names;
import org.sdcdocker.frontend.translate.SentConfig;
import org.sdcdocker.protocol.DockerException;
import org.sdcdocker.protocol.Json;
import org.sdcdocker.protocol.agent.AgentEvents.Heartbeat;
import org.sdcdocker.protocol.agent.AgentRequests;
import org.sdcdocker.protocol.agent.NetStatus;
import org.sdcdocker.protocol.agent.RestartPolicy;
import org.sdcdocker.protocol.agent.ZoneRecord;

/** Containers: create, start, wait, logs, attach, kill, stop, remove, inspect, list. */
public final class ContainersEndpoint {
  private final Vertx vertx;
  private final Containers backend;
  private final CreateTranslator translator;

  public ContainersEndpoint(Vertx vertx, Containers backend, CreateTranslator translator) {
    this.vertx = vertx;
    this.backend = backend;
    this.translator = translator;
  }

  /** The routes, as a table. */
  public void mount(Router r) {
    String id = "/containers/(?<id>[^/]+)";
    Http.route(r, HttpMethod.POST, "/containers/create")
        .handler(BodyHandler.create().setBodyLimit(1 << 20))
        .handler(Http.json(201, this::postContainersCreate));
    Http.route(r, HttpMethod.GET, "/containers/json")
        .handler(Http.json(200, this::getContainersJson));
    Http.route(r, HttpMethod.GET, id + "/json").handler(Http.json(200, this::getContainerJson));
    Http.route(r, HttpMethod.POST, id + "/start").handler(Http.empty(204, this::postStart));
    Http.route(r, HttpMethod.POST, id + "/kill").handler(Http.empty(204, this::postKill));
    Http.route(r, HttpMethod.POST, id + "/stop").handler(Http.empty(204, this::postStop));
    Http.route(r, HttpMethod.POST, id + "/restart").handler(Http.empty(204, this::postRestart));
    Http.route(r, HttpMethod.POST, id + "/rename").handler(Http.empty(204, this::postRename));
    Http.route(r, HttpMethod.POST, id + "/resize").handler(Http.empty(200, this::postResize));
    Http.route(r, HttpMethod.POST, id + "/update")
        .handler(BodyHandler.create().setBodyLimit(1 << 16))
        .handler(Http.json(200, this::postUpdate));
    Http.route(r, HttpMethod.POST, "/containers/prune").handler(Http.json(200, this::postPrune));
    Http.route(r, HttpMethod.POST, id + "/pause")
        .handler(Http.empty(204, ctx -> postPause(ctx, true)));
    Http.route(r, HttpMethod.POST, id + "/unpause")
        .handler(Http.empty(204, ctx -> postPause(ctx, false)));
    Http.route(r, HttpMethod.POST, id + "/wait").handler(this::postWait);
    Http.route(r, HttpMethod.DELETE, id).handler(Http.empty(204, this::deleteContainer));
    Http.route(
            r, HttpMethod.DELETE, "/containers/(?<link>/?[^/]+/[^/]+)") // rm --link /PARENT/ALIAS
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
    JsonNode raw = Json.decode(ctx.body().buffer().getBytes(), JsonNode.class);
    if (raw.isNull()) {
      throw DockerException.invalid("config cannot be empty in order to create a container");
    }
    CreateBody body = CreateBody.decode(raw);
    SentConfig sent = SentConfig.of(raw, body);
    List<String> warnings =
        body.hostConfig().blkioWeight() > 0
            ? List.of(
                "Your kernel does not support Block I/O weight or the cgroup is not mounted. Weight discarded.")
            : List.of();
    String platform = ctx.request().getParam("platform");
    var wanted = platform == null || platform.isBlank() ? null : Platform.parse(platform);
    String account = Accounts.of(ctx);
    String chosenName = name;
    return vertx
        .executeBlocking(
            () -> translator.creation(account, body, sent, chosenName, true, wanted), false)
        .compose(c -> backend.create(account, c))
        .map(rec -> Map.of("Id", rec.spec().id(), "Warnings", warnings));
  }

  private Future<List<Map<String, Object>>> getContainersJson(RoutingContext ctx) {
    boolean all = Http.flag(ctx, "all");
    var filters = ContainerFilters.parse(ctx.request().getParam("filters"));
    var pred = ContainerFilters.predicate(filters, backend.list(Accounts.of(ctx)));
    int limit = Http.intParam(ctx, "limit", -1);
    List<ZoneRecord> chosen =
        backend.list(Accounts.of(ctx)).stream()
            .filter(r -> all || limit > 0 || r.state().running() || filters.containsKey("status"))
            .filter(pred)
            .sorted(Comparator.comparing((ZoneRecord r) -> r.spec().created()).reversed())
            .limit(limit > 0 ? limit : Long.MAX_VALUE)
            .toList();
    List<Map<String, Object>> out =
        chosen.stream()
            .map(
                r -> {
                  Map<String, Object> m = ContainerView.summary(onItsNode(r));
                  if (!backend.nodeLive(r.cnUuid())) {
                    m.put("Status", "Host Down"); // as classic Swarm: its last known state stays
                  }
                  return m;
                })
            .toList();
    if (!Http.flag(ctx, "size")) {
      return Future.succeededFuture(out);
    }
    List<Future<AgentRequests.SizesResult>> sizes = chosen.stream().map(backend::sizes).toList();
    return Future.join(sizes)
        .transform(
            ar -> {
              for (int i = 0; i < out.size(); i++) {
                if (sizes.get(i).succeeded()) {
                  out.get(i).put("SizeRw", sizes.get(i).result().sizeRw());
                  out.get(i).put("SizeRootFs", sizes.get(i).result().sizeRootFs());
                }
              }
              return Future.succeededFuture(out);
            });
  }

  /**
   * In a fleet, a container's published ports as a client reaches them: on its compute node's
   * address (what the node's heartbeat gives as its own) where the node bound them on every
   * address, not on 0.0.0.0, which would name the client's own host.
   */
  private ZoneRecord onItsNode(ZoneRecord r) {
    if (r.net().ports().isEmpty()) {
      return r;
    }
    Heartbeat hb = backend.heartbeat(r.cnUuid());
    if (hb == null || hb.fabricAddress() == null) {
      return r;
    }
    List<NetStatus.BoundPort> ports =
        r.net().ports().stream()
            .map(
                b ->
                    b.hostIp().isEmpty() || b.hostIp().equals("0.0.0.0")
                        ? new NetStatus.BoundPort(
                            b.containerPort(), b.protocol(), hb.fabricAddress(), b.hostPort())
                        : b)
            .toList();
    return r.withNet(new NetStatus(r.net().sandbox(), r.net().attached(), ports));
  }

  private Future<Map<String, Object>> getContainerJson(RoutingContext ctx) {
    ZoneRecord r = backend.get(Accounts.of(ctx), ctx.pathParam("id"));
    return backend
        .sentConfig(r.spec().id())
        .compose(
            sent -> {
              Map<String, Object> m = ContainerView.inspect(onItsNode(r), sent);
              Heartbeat hb = backend.heartbeat(r.cnUuid()); // its compute node, as Swarm showed
              if (hb != null) {
                Map<String, Object> node = new LinkedHashMap<>();
                node.put("ID", r.cnUuid());
                node.put("Name", hb.hostname());
                node.put("Cpus", hb.cpus());
                node.put("Memory", hb.memoryBytes());
                node.put("Status", backend.nodeLive(r.cnUuid()) ? "Healthy" : "Unhealthy");
                m.put("Node", node);
              }
              if (!Http.flag(ctx, "size")) {
                return Future.succeededFuture(m);
              }
              return backend
                  .sizes(r)
                  .map(
                      s -> {
                        m.put("SizeRw", s.sizeRw());
                        m.put("SizeRootFs", s.sizeRootFs());
                        return m;
                      });
            });
  }

  private Future<Outcome> postStart(RoutingContext ctx) {
    return backend.start(Accounts.of(ctx), ctx.pathParam("id"));
  }

  private Future<Void> postKill(RoutingContext ctx) {
    int signal = Signals.parse(ctx.request().getParam("signal"));
    return backend.kill(Accounts.of(ctx), ctx.pathParam("id"), signal);
  }

  private Future<Outcome> postStop(RoutingContext ctx) {
    ZoneRecord r = backend.get(Accounts.of(ctx), ctx.pathParam("id"));
    return backend.stop(
        Accounts.of(ctx), ctx.pathParam("id"), stopSignal(ctx, r), stopTimeout(ctx, r));
  }

  /**
   * The signal a stop sends: the request's, else the container's (or its image's), else SIGTERM.
   */
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
    return backend.restart(
        Accounts.of(ctx), ctx.pathParam("id"), stopSignal(ctx, r), stopTimeout(ctx, r));
  }

  private Future<Void> postRename(RoutingContext ctx) {
    String name = ctx.request().getParam("name");
    if (name == null || name.isEmpty()) {
      throw DockerException.invalid("Neither old nor new names may be empty");
    }
    String account = Accounts.of(ctx);
    backend.get(
        account, ctx.pathParam("id")); // as Docker's: a missing container first, then the name
    return backend.rename(account, ctx.pathParam("id"), Names.validate(name));
  }

  private Future<Map<String, Object>> postUpdate(RoutingContext ctx) {
    JsonNode b = Http.jsonObject(ctx, "container.UpdateConfig", false);
    if (b.path("Memory").asLong(0) > 0 && b.path("Memory").asLong(0) < 6 * 1024 * 1024) {
      throw DockerException.invalid("Minimum memory limit allowed is 6MB");
    }
    RestartPolicy policy = null; // as Docker's: a policy without a name leaves the policy as it is
    if (b.hasNonNull("RestartPolicy")) {
      var asked =
          CreateBody.convert(
              b.get("RestartPolicy"), CreateBody.RestartPolicy.class, "UpdateConfig");
      RestartPolicy checked = CreateTranslator.restartPolicy(asked, false);
      policy = asked.name().isEmpty() ? null : checked;
    }
    var u =
        new AgentRequests.UpdateZone(
            null,
            b.path("Memory").asLong(0),
            b.path("MemorySwap").asLong(0),
            b.path("MemoryReservation").asLong(0),
            b.path("CpuShares").asLong(0),
            b.path("NanoCpus").asLong(0),
            b.path("PidsLimit").asLong(0),
            policy);
    translator.checkUpdate(
        backend.get(Accounts.of(ctx), ctx.pathParam("id")).spec(),
        u.memory() != 0
            || u.memorySwap() != 0
            || u.memoryReservation() != 0
            || u.cpuShares() != 0
            || u.nanoCpus() != 0
            || u.pidsLimit() != 0);
    return backend
        .update(Accounts.of(ctx), ctx.pathParam("id"), u)
        .map(rec -> Map.of("Warnings", List.of()));
  }

  private Future<Map<String, Object>> postPrune(RoutingContext ctx) {
    var filters = ContainerFilters.parse(ctx.request().getParam("filters"));
    return backend
        .prune(
            Accounts.of(ctx), ContainerFilters.predicate(filters, backend.list(Accounts.of(ctx))))
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
    return backend.remove(
        Accounts.of(ctx), ctx.pathParam("id"), Http.flag(ctx, "force"), Http.flag(ctx, "v"));
  }

  /**
   * Headers go out at once, so a client knows its wait is registered before it starts the
   * container.
   */
  private void postWait(RoutingContext ctx) {
    String condition = ctx.request().getParam("condition");
    Future<ZoneRecord> done;
    try {
      done =
          backend.waitFor(
              Accounts.of(ctx), ctx.pathParam("id"), condition == null ? "not-running" : condition);
    } catch (RuntimeException e) {
      ctx.fail(e);
      return;
    }
    ctx.response()
        .setChunked(true)
        .putHeader("Content-Type", "application/json")
        .setStatusCode(200);
    ctx.response().writeHead();
    done.onComplete(
        ar -> {
          Object body =
              ar.succeeded()
                  ? waitBody(ar.result())
                  : Map.of(
                      "StatusCode",
                      -1,
                      "Error",
                      Map.of("Message", DockerException.of(ar.cause()).getMessage()));
          ctx.response().end(Json.encode(body) + "\n");
        });
  }

  private static Map<String, Object> waitBody(ZoneRecord r) {
    String err = r.state().error();
    LinkedHashMap<String, Object> m = new LinkedHashMap<>();
    m.put("StatusCode", r.state().exitCode());
    m.put("Error", err == null || err.isEmpty() ? null : Map.of("Message", err));
    return m;
  }
}
