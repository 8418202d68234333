package org.sdcdocker.frontend.endpoint;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.sdcdocker.frontend.cluster.EventLog;
import org.sdcdocker.frontend.http.Http;
import org.sdcdocker.protocol.DockerException;
import org.sdcdocker.protocol.Json;
import org.sdcdocker.protocol.agent.FrontendEvents.DockerEvent;

/** {@code GET /events}: the kept events since a time, then live ones until a time or forever. */
public final class EventsEndpoint {
  private static final Set<String> FILTERS = Set.of("type", "event", "container", "image", "label");

  private final Vertx vertx;
  private final EventLog log;

  public EventsEndpoint(Vertx vertx, EventLog log) {
    this.vertx = vertx;
    this.log = log;
  }

  /** The routes, as a table. */
  public void mount(Router r) {
    Http.route(r, HttpMethod.GET, "/events").handler(this::getEvents);
  }

  private void getEvents(RoutingContext ctx) {
    long since;
    long until;
    Predicate<DockerEvent> filter;
    try {
      since = time(ctx.request().getParam("since"));
      until = time(ctx.request().getParam("until"));
      filter = filter(Accounts.of(ctx), ctx.request().getParam("filters"));
    } catch (RuntimeException e) {
      ctx.fail(e instanceof DockerException ? e : DockerException.invalid("%s", e.getMessage()));
      return;
    }
    HttpServerResponse resp =
        ctx.response().setChunked(true).putHeader("Content-Type", "application/json");
    resp.writeHead();
    long now = EventLog.now();
    Predicate<DockerEvent> inTime =
        e -> (since < 0 || e.timeNano() >= since) && (until < 0 || e.timeNano() <= until);
    if (since >= 0) {
      log.history(filter.and(inTime)).forEach(e -> write(resp, e));
    }
    if (until >= 0 && until <= now) {
      resp.end();
      return;
    }
    Runnable stop = log.listen(filter.and(inTime), e -> write(resp, e));
    resp.closeHandler(v -> stop.run());
    if (until >= 0) {
      vertx.setTimer(
          Math.max(1, (until - now) / 1_000_000L),
          t -> {
            stop.run();
            if (!resp.ended() && !resp.closed()) {
              resp.end();
            }
          });
    }
  }

  private static void write(HttpServerResponse resp, DockerEvent e) {
    if (!resp.ended() && !resp.closed()) {
      resp.write(Json.encode(EventLog.toJson(e)) + "\n");
    }
  }

  /** Docker sends unix seconds with an optional fraction; absent (-1) means unbounded. */
  static long time(String v) {
    if (v == null || v.isEmpty()) {
      return -1;
    }
    return new BigDecimal(v).movePointRight(9).longValue();
  }

  static Predicate<DockerEvent> filter(String account, String json) {
    Predicate<DockerEvent> p = e -> e.account().equals(account);
    if (json == null || json.isEmpty()) {
      return p;
    }
    JsonNode root = Json.decode(json, JsonNode.class);
    Map<String, List<String>> f = new HashMap<>();
    root.fields()
        .forEachRemaining(
            en -> {
              if (!FILTERS.contains(en.getKey())) {
                throw DockerException.invalid("invalid filter '%s'", en.getKey());
              }
              List<String> vals = new ArrayList<>();
              if (en.getValue().isArray()) {
                en.getValue().forEach(v -> vals.add(v.asText()));
              } else {
                en.getValue().fieldNames().forEachRemaining(vals::add);
              }
              f.put(en.getKey(), vals);
            });
    if (f.containsKey("type")) {
      List<String> v = f.get("type");
      p = p.and(e -> v.contains(e.type()));
    }
    if (f.containsKey("event")) {
      List<String> v = f.get("event");
      // "health_status" also matches "health_status: healthy", as moby's fuzzy match
      p =
          p.and(
              e ->
                  v.stream()
                      .anyMatch(
                          a ->
                              a.equals(e.action())
                                  || (!a.contains(":") && e.action().startsWith(a + ":"))));
    }
    if (f.containsKey("container")) {
      List<String> v = f.get("container");
      p =
          p.and(
              e ->
                  e.type().equals("container")
                      && v.stream()
                          .anyMatch(
                              c ->
                                  e.actorId().startsWith(c)
                                      || c.equals(e.attributes().get("name"))));
    }
    if (f.containsKey("image")) {
      List<String> v = f.get("image");
      p =
          p.and(
              e ->
                  v.stream()
                      .anyMatch(
                          i ->
                              i.equals(e.attributes().get("image"))
                                  || i.equals(e.actorId())
                                  || i.equals(e.attributes().get("name"))));
    }
    if (f.containsKey("label")) {
      for (String l : f.get("label")) {
        String[] kv = l.split("=", 2);
        p =
            p.and(
                e ->
                    e.attributes().containsKey(kv[0])
                        && (kv.length == 1 || kv[1].equals(e.attributes().get(kv[0]))));
      }
    }
    return p;
  }
}
