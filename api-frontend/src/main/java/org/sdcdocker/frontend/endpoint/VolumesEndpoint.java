package org.sdcdocker.frontend.endpoint;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.sdcdocker.frontend.cluster.Attempts;
import org.sdcdocker.frontend.cluster.EventLog;
import org.sdcdocker.frontend.cluster.VolumeBackend;
import org.sdcdocker.frontend.http.Http;
import org.sdcdocker.protocol.DockerException;
import org.sdcdocker.protocol.agent.FrontendEvents.DockerEvent;
import org.sdcdocker.protocol.agent.VolumeRecords.Volume;
import org.sdcdocker.protocol.agent.VolumeRecords.VolumeUse;

/** {@code docker volume create|ls|inspect|rm|prune} (local driver). */
public final class VolumesEndpoint {
  private final VolumeBackend backend;
  private final EventLog events;

  public VolumesEndpoint(VolumeBackend backend, EventLog events) {
    this.backend = backend;
    this.events = events;
  }

  private void event(String account, String action, String name) {
    events.add(
        new DockerEvent(
            account, "volume", action, name, Map.of("driver", "local"), EventLog.now()));
  }

  /** The routes, as a table. */
  public void mount(Router r) {
    Http.route(r, HttpMethod.POST, "/volumes/create")
        .handler(BodyHandler.create().setBodyLimit(1 << 16))
        .handler(Http.json(201, this::postVolumesCreate));
    Http.route(r, HttpMethod.GET, "/volumes").handler(Http.json(200, this::getVolumes));
    Http.route(r, HttpMethod.POST, "/volumes/prune")
        .handler(Http.json(200, this::postVolumesPrune));
    Http.route(r, HttpMethod.GET, "/volumes/(?<name>[^/]+)")
        .handler(Http.json(200, this::getVolume));
    Http.route(r, HttpMethod.DELETE, "/volumes/(?<name>[^/]+)")
        .handler(Http.empty(204, this::deleteVolume));
  }

  private Future<Map<String, Object>> postVolumesCreate(RoutingContext ctx) {
    JsonNode b = Http.jsonObject(ctx, "volume.CreateOptions", true);
    String driver = b.path("Driver").asText("local");
    if (!driver.isEmpty() && !driver.equals("local")) {
      throw DockerException.notFound("plugin \"%s\" not found", driver);
    }
    String name = b.path("Name").asText("");
    if (name.isEmpty()) {
      byte[] r = new byte[32];
      new SecureRandom().nextBytes(r);
      name = HexFormat.of().formatHex(r);
    }
    Map<String, String> labels = new LinkedHashMap<>();
    b.path("Labels").fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
    String account = Accounts.of(ctx);
    String created = name;
    return backend
        .create(account, name, labels)
        .onSuccess(v -> event(account, "create", created))
        .map(VolumesEndpoint::view);
  }

  static Map<String, Object> view(Volume v) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("CreatedAt", v.createdAt());
    m.put("Driver", v.driver());
    m.put("Labels", v.labels());
    m.put("Mountpoint", v.mountpoint());
    m.put("Name", v.name());
    m.put("Options", Map.of());
    m.put("Scope", "local");
    return m;
  }

  private Future<Map<String, Object>> getVolumes(RoutingContext ctx) {
    Predicate<VolumeUse> f = filter(ctx.request().getParam("filters"));
    return backend
        .list(Accounts.of(ctx))
        .map(
            l -> {
              List<Map<String, Object>> out = new ArrayList<>();
              l.stream().filter(f).forEach(v -> out.add(view(v.volume())));
              return Map.of("Volumes", out, "Warnings", List.of());
            });
  }

  /** dangling, name, label, driver, as Docker's volume filters. */
  static Predicate<VolumeUse> filter(String json) {
    Predicate<VolumeUse> p = v -> true;
    Map<String, List<String>> f =
        Filters.parse(json, Set.of("dangling", "name", "label", "driver"));
    for (String d : f.getOrDefault("dangling", List.of())) {
      boolean want = d.equals("true") || d.equals("1");
      p = p.and(v -> v.usedBy().isEmpty() == want);
    }
    if (f.containsKey("name")) {
      p = p.and(v -> f.get("name").stream().anyMatch(n -> v.volume().name().contains(n)));
    }
    if (f.containsKey("driver")) {
      p = p.and(v -> f.get("driver").contains(v.volume().driver()));
    }
    for (String l : f.getOrDefault("label", List.of())) {
      String[] kv = l.split("=", 2);
      p =
          p.and(
              v ->
                  v.volume().labels().containsKey(kv[0])
                      && (kv.length == 1 || kv[1].equals(v.volume().labels().get(kv[0]))));
    }
    return p;
  }

  private Future<Map<String, Object>> getVolume(RoutingContext ctx) {
    return backend.get(Accounts.of(ctx), ctx.pathParam("name")).map(v -> view(v.volume()));
  }

  private Future<Void> deleteVolume(RoutingContext ctx) {
    String account = Accounts.of(ctx);
    String name = ctx.pathParam("name");
    return backend.remove(account, name).onSuccess(v -> event(account, "destroy", name));
  }

  /** Removes the unused volumes: anonymous ones only, unless all=true (as Docker's API 1.42+). */
  private Future<Map<String, Object>> postVolumesPrune(RoutingContext ctx) {
    String account = Accounts.of(ctx);
    String filters = ctx.request().getParam("filters");
    boolean all = filters != null && filters.contains("\"all\"") && filters.contains("true");
    String rest =
        filters == null
            ? null
            : filters.replaceAll("\"all\"\\s*:\\s*(\\[[^]]*]|\\{[^}]*})\\s*,?", "");
    Predicate<VolumeUse> f = filter(rest == null || rest.equals("{}") ? null : rest);
    return backend
        .list(account)
        .compose(
            l -> {
              List<VolumeUse> gone =
                  l.stream()
                      .filter(v -> v.usedBy().isEmpty())
                      .filter(v -> all || v.volume().anonymous())
                      .filter(f)
                      .toList();
              return Attempts.succeeded(
                      gone,
                      v ->
                          backend
                              .remove(account, v.volume().name())
                              .onSuccess(x -> event(account, "destroy", v.volume().name()))
                              .map(x -> v.volume().name()))
                  .map(
                      names ->
                          Map.<String, Object>of("VolumesDeleted", names, "SpaceReclaimed", 0));
            });
  }
}
