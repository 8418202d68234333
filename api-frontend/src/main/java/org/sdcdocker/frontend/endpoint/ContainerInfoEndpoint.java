package org.sdcdocker.frontend.endpoint;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sdcdocker.bus.Tls;
import org.sdcdocker.frontend.cluster.Containers;
import org.sdcdocker.frontend.http.Http;
import org.sdcdocker.protocol.DockerException;
import org.sdcdocker.protocol.ErrorKind;
import org.sdcdocker.protocol.Json;
import org.sdcdocker.protocol.agent.AgentRequests.StatsResult;
import org.sdcdocker.protocol.agent.ZoneRecord;

/**
 * What one looks at in a container without changing it: {@code diff} (changes), {@code top} and
 * {@code stats}. Kept apart from ContainersEndpoint, which changes containers.
 */
public final class ContainerInfoEndpoint {
  private static final long STATS_INTERVAL_MS = 1000;

  private final Vertx vertx;
  private final Containers backend;
  private final StreamProxy streams;

  public ContainerInfoEndpoint(Vertx vertx, Containers backend, Tls tls) {
    this.vertx = vertx;
    this.backend = backend;
    this.streams = new StreamProxy(vertx, tls);
  }

  /** The routes, as a table. */
  public void mount(Router r) {
    String id = "/containers/(?<id>[^/]+)";
    Http.route(r, HttpMethod.GET, id + "/changes").handler(Http.json(200, this::getChanges));
    Http.route(r, HttpMethod.GET, id + "/top").handler(Http.json(200, this::getTop));
    Http.route(r, HttpMethod.GET, id + "/stats").handler(this::getStats);
    Http.route(r, HttpMethod.GET, id + "/export").handler(this::getExport);
  }

  private Future<List<Map<String, Object>>> getChanges(RoutingContext ctx) {
    return backend
        .changes(Accounts.of(ctx), ctx.pathParam("id"))
        .map(
            list ->
                list.changes().stream()
                    .map(c -> Map.<String, Object>of("Path", c.path(), "Kind", c.kind()))
                    .toList());
  }

  private Future<Map<String, Object>> getTop(RoutingContext ctx) {
    return backend
        .top(Accounts.of(ctx), ctx.pathParam("id"), ctx.request().getParam("ps_args"))
        .map(t -> Map.of("Titles", t.titles(), "Processes", t.processes()));
  }

  /** The container's filesystem as a tar stream, from its agent. */
  private void getExport(RoutingContext ctx) {
    ZoneRecord rec = Found.container(ctx, backend);
    if (rec == null) {
      return;
    }
    backend
        .streamTicket(rec, "export", "")
        .compose(streams::open)
        .onFailure(ctx::fail)
        .onSuccess(
            from -> {
              backend.event("export", rec, Map.of());
              ctx.response()
                  .setChunked(true)
                  .putHeader("Content-Type", "application/x-tar")
                  .setStatusCode(200);
              StreamProxy.pipe(from, ctx.response());
            });
  }

  /**
   * One sample a second; with stream=0 one answer, made of two samples a second apart (for CPU %).
   */
  private void getStats(RoutingContext ctx) {
    String account = Accounts.of(ctx);
    ZoneRecord rec = Found.container(ctx, backend);
    if (rec == null) {
      return;
    }
    String streamParam = ctx.request().getParam("stream");
    boolean stream = streamParam == null || Http.flag(ctx, "stream");
    boolean oneShot = Http.flag(ctx, "one-shot");
    if (!rec.state().running()) {
      if (stream) {
        ctx.fail(DockerException.conflict("Container %s is not running", rec.spec().id()));
      } else {
        Http.send(ctx, 200, empty(rec));
      }
      return;
    }
    HttpServerResponse resp =
        ctx.response().setChunked(true).putHeader("Content-Type", "application/json");
    backend
        .stats(account, rec.spec().id())
        .onFailure(
            e -> {
              if (!stream && Http.kindOf(e) == ErrorKind.CONFLICT) {
                Http.send(ctx, 200, empty(rec)); // it stopped meanwhile: Docker's zeroed sample
              } else {
                ctx.fail(e);
              }
            })
        .onSuccess(
            first -> {
              if (!stream && oneShot) {
                resp.end(Json.encode(sample(rec, first, null)) + "\n");
                return;
              }
              resp.writeHead();
              StatsResult[] prev = {first};
              long[] timer = {0};
              timer[0] =
                  vertx.setPeriodic(
                      STATS_INTERVAL_MS,
                      t ->
                          backend
                              .stats(account, rec.spec().id())
                              .onComplete(
                                  ar -> {
                                    if (resp.closed() || resp.ended()) {
                                      vertx.cancelTimer(timer[0]);
                                      return;
                                    }
                                    if (ar.failed()) { // it stopped meanwhile: one sample is the
                                      // answer, or the stream ends
                                      vertx.cancelTimer(timer[0]);
                                      resp.end(
                                          stream
                                              ? ""
                                              : Json.encode(sample(rec, prev[0], null)) + "\n");
                                      return;
                                    }
                                    resp.write(
                                        Json.encode(sample(rec, ar.result(), prev[0])) + "\n");
                                    prev[0] = ar.result();
                                    if (!stream) {
                                      vertx.cancelTimer(timer[0]);
                                      resp.end();
                                    }
                                  }));
              resp.closeHandler(v -> vertx.cancelTimer(timer[0]));
            });
  }

  private static Map<String, Object> cpu(StatsResult s) {
    Map<String, Object> cpu = new LinkedHashMap<>();
    cpu.put(
        "cpu_usage",
        Map.of(
            "total_usage",
            s == null ? 0 : s.cpuTotalNanos(),
            "usage_in_kernelmode",
            0,
            "usage_in_usermode",
            0));
    cpu.put("system_cpu_usage", s == null ? 0 : s.systemCpuNanos());
    cpu.put("online_cpus", s == null ? 0 : s.onlineCpus());
    cpu.put("throttling_data", Map.of("periods", 0, "throttled_periods", 0, "throttled_time", 0));
    return cpu;
  }

  /** Docker's stats JSON: this sample, and the one before for the CPU share. */
  static Map<String, Object> sample(ZoneRecord r, StatsResult s, StatsResult prev) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("read", s.read());
    m.put("preread", prev == null ? "0001-01-01T00:00:00Z" : prev.read());
    m.put("pids_stats", Map.of("current", s.pids(), "limit", s.pidsLimit()));
    m.put(
        "blkio_stats",
        Map.of(
            "io_service_bytes_recursive",
            List.of(
                Map.of("major", 0, "minor", 0, "op", "read", "value", s.blkioReadBytes()),
                Map.of("major", 0, "minor", 0, "op", "write", "value", s.blkioWriteBytes()))));
    m.put("num_procs", 0);
    m.put("storage_stats", Map.of());
    m.put("cpu_stats", cpu(s));
    m.put("precpu_stats", cpu(prev));
    m.put(
        "memory_stats",
        Map.of(
            "usage",
            s.memoryUsage(),
            "limit",
            s.memoryLimit(),
            "stats",
            Map.of("total_inactive_file", s.memoryCache())));
    m.put("name", "/" + r.spec().name());
    m.put("id", r.spec().id());
    Map<String, Object> nets = new LinkedHashMap<>();
    s.networks()
        .forEach(
            (name, c) -> {
              Map<String, Object> n = new LinkedHashMap<>();
              n.put("rx_bytes", c.rxBytes());
              n.put("rx_packets", c.rxPackets());
              n.put("rx_errors", c.rxErrors());
              n.put("rx_dropped", c.rxDropped());
              n.put("tx_bytes", c.txBytes());
              n.put("tx_packets", c.txPackets());
              n.put("tx_errors", c.txErrors());
              n.put("tx_dropped", c.txDropped());
              nets.put(name, n);
            });
    m.put("networks", nets);
    return m;
  }

  private static Map<String, Object> empty(ZoneRecord r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("read", "0001-01-01T00:00:00Z");
    m.put("preread", "0001-01-01T00:00:00Z");
    m.put("pids_stats", Map.of());
    m.put("blkio_stats", Map.of());
    m.put("cpu_stats", cpu(null));
    m.put("precpu_stats", cpu(null));
    m.put("memory_stats", Map.of());
    m.put("name", "/" + r.spec().name());
    m.put("id", r.spec().id());
    return m;
  }
}
