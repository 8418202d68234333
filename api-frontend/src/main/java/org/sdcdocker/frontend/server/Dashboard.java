package org.sdcdocker.frontend.server;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.sdcdocker.frontend.cluster.Containers;
import org.sdcdocker.frontend.cluster.EventLog;
import org.sdcdocker.frontend.http.Http;
import org.sdcdocker.protocol.agent.FrontendEvents.DockerEvent;
import org.sdcdocker.protocol.agent.ZoneRecord;

/**
 * The fleet's dashboard on the admin listener: {@code GET /dashboard}, one static page, and {@code
 * GET /dashboard.json}, what it shows (each node with its state, capacity and containers, the
 * accounts with their counts, the last events), which the page reads once a second. Operators reach
 * it as the rest of the admin API, through the root-only socket (an SSH tunnel to it: {@code ssh -L
 * 9090:/var/lib/sdc-docker/frontend/admin.sock HOST}, then http://localhost:9090/dashboard).
 */
final class Dashboard {
  /** How many of the newest events the page lists. */
  static final int EVENTS = 25;

  private final Buffer page;
  private final Containers containers;
  private final EventLog events;
  private final Supplier<List<Map<String, Object>>> nodes;

  Dashboard(Containers containers, EventLog events, Supplier<List<Map<String, Object>>> nodes) {
    this.containers = containers;
    this.events = events;
    this.nodes = nodes;
    try (InputStream in = Dashboard.class.getResourceAsStream("dashboard.html")) {
      if (in == null) {
        throw new IllegalStateException("dashboard.html is missing from the jar");
      }
      page = Buffer.buffer(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  void mount(Router router) {
    router
        .get("/dashboard")
        .handler(
            ctx ->
                ctx.response()
                    .putHeader("Content-Type", "text/html; charset=utf-8")
                    .putHeader("Cache-Control", "no-store")
                    .putHeader(
                        "Content-Security-Policy",
                        "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline';"
                            + " connect-src 'self'")
                    .end(page));
    router
        .get("/dashboard.json")
        .handler(Http.json(200, ctx -> Future.succeededFuture(snapshot())));
  }

  /** What the page shows, now. */
  Map<String, Object> snapshot() {
    List<ZoneRecord> all = List.copyOf(containers.all());
    Map<String, List<Map<String, Object>>> byNode = new LinkedHashMap<>();
    Map<String, int[]> byAccount = new TreeMap<>();
    for (ZoneRecord r : all) {
      String state = r.state().status();
      Map<String, Object> c = new LinkedHashMap<>();
      c.put("Id", r.spec().id());
      c.put("Name", r.spec().name());
      c.put("Account", r.spec().owner());
      c.put("State", state);
      byNode.computeIfAbsent(r.cnUuid(), k -> new ArrayList<>()).add(c);
      int[] n = byAccount.computeIfAbsent(r.spec().owner(), k -> new int[2]);
      n[0]++;
      if (state.equals("running")) {
        n[1]++;
      }
    }
    List<Map<String, Object>> nodeList = new ArrayList<>();
    for (Map<String, Object> n : nodes.get()) {
      Map<String, Object> m = new LinkedHashMap<>(n);
      List<Map<String, Object>> cs =
          new ArrayList<>(byNode.getOrDefault((String) n.get("UUID"), List.of()));
      cs.sort(Comparator.comparing(c -> (String) c.get("Name")));
      m.put("ContainerList", cs);
      nodeList.add(m);
    }
    nodeList.sort(Comparator.comparing(n -> (String) n.get("Hostname") + " " + n.get("UUID")));
    List<Map<String, Object>> accounts = new ArrayList<>();
    byAccount.forEach(
        (a, n) -> {
          Map<String, Object> m = new LinkedHashMap<>();
          m.put("Account", a);
          m.put("Containers", n[0]);
          m.put("Running", n[1]);
          accounts.add(m);
        });
    List<Map<String, Object>> last = new ArrayList<>();
    for (DockerEvent e : events.newest(EVENTS)) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("Time", e.timeNano() / 1_000_000_000L);
      m.put("Account", e.account());
      m.put("Type", e.type());
      m.put("Action", e.action());
      m.put("Id", e.actorId());
      m.put("Name", e.attributes().get("name"));
      last.add(m);
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("Time", System.currentTimeMillis());
    out.put("Nodes", nodeList);
    out.put("Accounts", accounts);
    out.put("Events", last);
    return out;
  }
}
