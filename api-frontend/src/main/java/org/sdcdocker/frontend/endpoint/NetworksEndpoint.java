package org.sdcdocker.frontend.endpoint;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.sdcdocker.frontend.cluster.Attempts;
import org.sdcdocker.frontend.cluster.EventLog;
import org.sdcdocker.frontend.cluster.NetworkBackend;
import org.sdcdocker.frontend.http.Http;
import org.sdcdocker.frontend.translate.CreateBody;
import org.sdcdocker.frontend.translate.NetworkTranslator;
import org.sdcdocker.protocol.DockerException;
import org.sdcdocker.protocol.agent.FrontendEvents.DockerEvent;
import org.sdcdocker.protocol.agent.NetworkRecords;
import org.sdcdocker.protocol.agent.NetworkRecords.NetworkUse;
import org.sdcdocker.protocol.agent.NetworkSpec;

/** {@code docker network create|ls|inspect|rm|prune|connect|disconnect} (bridge driver). */
public final class NetworksEndpoint {
  private final NetworkBackend backend;
  private final EventLog events;

  public NetworksEndpoint(NetworkBackend backend, EventLog events) {
    this.backend = backend;
    this.events = events;
  }

  /** The routes, as a table. */
  public void mount(Router r) {
    Http.route(r, HttpMethod.POST, "/networks/create")
        .handler(BodyHandler.create().setBodyLimit(1 << 16))
        .handler(Http.json(201, this::postNetworksCreate));
    Http.route(r, HttpMethod.GET, "/networks").handler(Http.json(200, this::getNetworks));
    Http.route(r, HttpMethod.POST, "/networks/prune")
        .handler(Http.json(200, this::postNetworksPrune));
    Http.route(r, HttpMethod.GET, "/networks/(?<id>[^/]+)")
        .handler(Http.json(200, this::getNetwork));
    Http.route(r, HttpMethod.DELETE, "/networks/(?<id>[^/]+)")
        .handler(Http.empty(204, this::deleteNetwork));
    Http.route(r, HttpMethod.POST, "/networks/(?<id>[^/]+)/connect")
        .handler(BodyHandler.create().setBodyLimit(1 << 16))
        .handler(Http.empty(200, this::postConnect));
    Http.route(r, HttpMethod.POST, "/networks/(?<id>[^/]+)/disconnect")
        .handler(BodyHandler.create().setBodyLimit(1 << 16))
        .handler(Http.empty(200, this::postDisconnect));
  }

  private void event(
      String account, String action, NetworkRecords.Network n, Map<String, String> extra) {
    Map<String, String> attrs = new LinkedHashMap<>(Map.of("name", n.name(), "type", n.driver()));
    attrs.putAll(extra);
    events.add(new DockerEvent(account, "network", action, n.id(), attrs, EventLog.now()));
  }

  private static JsonNode body(RoutingContext ctx) {
    return Http.jsonObject(ctx, "network.CreateRequest", true);
  }

  private Future<Map<String, Object>> postNetworksCreate(RoutingContext ctx) {
    JsonNode b = body(ctx);
    String name = b.path("Name").asText("");
    if (name.isEmpty()) {
      throw DockerException.invalid("network name cannot be empty");
    }
    String driver = b.path("Driver").asText("");
    if (!driver.isEmpty() && !driver.equals("bridge")) {
      throw DockerException.notFound("plugin \"%s\" not found", driver);
    }
    if (b.path("EnableIPv6").asBoolean(false)) {
      throw DockerException.invalid("IPv6 networks are not available on this server");
    }
    JsonNode configs = b.path("IPAM").path("Config");
    if (configs.size() > 1) {
      throw DockerException.invalid("only one IPv4 subnet per network is available on this server");
    }
    JsonNode c = configs.path(0);
    Map<String, String> labels = new LinkedHashMap<>();
    b.path("Labels").fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
    String account = Accounts.of(ctx);
    Map<String, String> aux = new LinkedHashMap<>();
    c.path("AuxiliaryAddresses")
        .fields()
        .forEachRemaining(e -> aux.put(e.getKey(), e.getValue().asText()));
    return backend
        .create(
            new NetworkRecords.CreateNetwork(
                name,
                account,
                text(c, "Subnet"),
                text(c, "Gateway"),
                text(c, "IPRange"),
                b.path("Internal").asBoolean(false),
                labels,
                aux))
        .onSuccess(n -> event(account, "create", n, Map.of()))
        .map(n -> Map.of("Id", n.id(), "Warning", ""));
  }

  private static String text(JsonNode n, String field) {
    String s = n.path(field).asText("");
    return s.isEmpty() ? null : s;
  }

  private Future<List<Map<String, Object>>> getNetworks(RoutingContext ctx) {
    Predicate<NetworkUse> f = NetworkViews.filter(ctx.request().getParam("filters"));
    String account = Accounts.of(ctx);
    return backend
        .list(account)
        .map(
            l -> {
              List<Map<String, Object>> out = new ArrayList<>();
              for (NetworkUse u : withNone(account, l)) {
                if (f.test(u)) {
                  out.add(NetworkViews.view(u, false));
                }
              }
              return out;
            });
  }

  /** Docker lists a "none" network too: containers that asked for loopback only. */
  private static List<NetworkUse> withNone(String account, List<NetworkUse> l) {
    List<NetworkUse> all = new ArrayList<>(l);
    all.add(NetworkViews.none(account));
    return all;
  }

  private Future<Map<String, Object>> getNetwork(RoutingContext ctx) {
    String account = Accounts.of(ctx);
    String ref = ctx.pathParam("id");
    if (ref.equals("none") || ref.equals(NetworkViews.none(account).network().id())) {
      return Future.succeededFuture(NetworkViews.view(NetworkViews.none(account), true));
    }
    return backend.get(account, ref).map(u -> NetworkViews.view(u, true));
  }

  private Future<Void> deleteNetwork(RoutingContext ctx) {
    String account = Accounts.of(ctx);
    if (ctx.pathParam("id").equals("none")) {
      throw DockerException.forbidden("none is a pre-defined network and cannot be removed");
    }
    return backend
        .get(account, ctx.pathParam("id"))
        .compose(
            u ->
                backend
                    .remove(account, u.network())
                    .onSuccess(v -> event(account, "destroy", u.network(), Map.of())));
  }

  private Future<Map<String, Object>> postNetworksPrune(RoutingContext ctx) {
    String account = Accounts.of(ctx);
    Predicate<NetworkUse> f = NetworkViews.filter(ctx.request().getParam("filters"));
    return backend
        .list(account)
        .compose(
            l -> {
              List<NetworkUse> gone =
                  l.stream()
                      .filter(u -> !u.network().fabric() && u.members().isEmpty())
                      .filter(f)
                      .toList();
              return Attempts.succeeded(
                      gone,
                      u ->
                          backend
                              .remove(account, u.network())
                              .onSuccess(v -> event(account, "destroy", u.network(), Map.of()))
                              .map(v -> u.network().name()))
                  .map(names -> Map.<String, Object>of("NetworksDeleted", names));
            });
  }

  private Future<Void> postConnect(RoutingContext ctx) {
    JsonNode b = body(ctx);
    String account = Accounts.of(ctx);
    JsonNode ec = b.path("EndpointConfig");
    NetworkSpec.Endpoint e =
        NetworkTranslator.endpoint(ctx.pathParam("id"), CreateBody.endpointConfig(ec), null);
    String container = b.path("Container").asText("");
    return backend
        .get(account, ctx.pathParam("id"))
        .compose(
            u ->
                backend
                    .connect(account, u.network().id(), container, e)
                    .onSuccess(
                        r ->
                            event(
                                account,
                                "connect",
                                u.network(),
                                Map.of("container", r.spec().id()))))
        .mapEmpty();
  }

  private Future<Void> postDisconnect(RoutingContext ctx) {
    JsonNode b = body(ctx);
    String account = Accounts.of(ctx);
    String container = b.path("Container").asText("");
    return backend
        .get(account, ctx.pathParam("id"))
        .compose(
            u ->
                backend
                    .disconnect(
                        account, u.network().id(), container, b.path("Force").asBoolean(false))
                    .onSuccess(
                        r ->
                            event(
                                account,
                                "disconnect",
                                u.network(),
                                Map.of("container", r.spec().id()))))
        .mapEmpty();
  }
}
