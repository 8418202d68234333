package org.sdcdocker.frontend.endpoint;

import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sdcdocker.frontend.cluster.Containers;
import org.sdcdocker.frontend.http.ApiVersion;
import org.sdcdocker.frontend.http.Http;
import org.sdcdocker.frontend.image.ImageStore;
import org.sdcdocker.protocol.DockerException;
import org.sdcdocker.protocol.ErrorKind;
import org.sdcdocker.protocol.agent.AgentEvents.Heartbeat;
import org.sdcdocker.protocol.agent.ZoneRecord;

/** {@code /_ping}, {@code /version} and {@code /info}. */
public final class SystemEndpoint {
  public static final String VERSION = "0.1.0";
  public static final String SERVER = "sdc-docker/" + VERSION + " (linux)";

  private final Containers containers;
  private final ImageStore images;
  private final String datacenter;

  public SystemEndpoint(Containers containers, ImageStore images, String datacenter) {
    this.containers = containers;
    this.images = images;
    this.datacenter = datacenter;
  }

  /** The routes, as a table. */
  /**
   * The account, then the compute nodes as classic Swarm listed its engines: each with its state,
   * containers and reserved memory.
   */
  private List<List<String>> systemStatus(String account, List<Heartbeat> live) {
    List<Containers.Node> known = containers.knownNodes();
    long lost = known.stream().filter(n -> !n.live()).count();
    List<List<String>> out = new ArrayList<>();
    out.add(List.of("SDCAccount", account));
    out.add(
        List.of("Compute nodes", live.size() + (lost > 0 ? " (" + lost + " not responding)" : "")));
    for (Containers.Node n : known) {
      Heartbeat hb = n.heartbeat();
      out.add(List.of(" " + hb.hostname(), hb.cnUuid()));
      out.add(
          List.of(
              "  └ Status",
              n.live() ? "Healthy" : "Unhealthy (last heard " + n.lastHeardSeconds() + " s ago)"));
      out.add(List.of("  └ Containers", n.containers() + " (" + n.running() + " running)"));
      out.add(
          List.of(
              "  └ Reserved Memory",
              (n.reservedMemory() >> 20) + " MiB / " + (hb.memoryBytes() >> 20) + " MiB"));
    }
    out.add(
        List.of(
            "Backends",
            String.join(",", live.stream().map(Heartbeat::backend).distinct().toList())));
    return out;
  }

  public void mount(Router r) {
    Http.route(r, HttpMethod.GET, "/_ping").handler(ctx -> ping(ctx, true));
    Http.route(r, HttpMethod.HEAD, "/_ping").handler(ctx -> ping(ctx, false));
    Http.route(r, HttpMethod.GET, "/version").handler(Http.json(200, this::getVersion));
    // no swarm mode: Docker's answers of a node that is in no swarm (clients test for the 503)
    r.routeWithRegex("^(?:/v[0-9]+\\.[0-9]+)?/swarm/leave/?$")
        .handler(
            ctx ->
                ctx.fail(
                    new DockerException(
                        ErrorKind.UNAVAILABLE, "This node is not part of a swarm")));
    r.routeWithRegex(
            "^(?:/v[0-9]+\\.[0-9]+)?/(?:swarm|services|nodes|tasks|secrets|configs)(?:/.*)?$")
        .handler(
            ctx ->
                ctx.fail(
                    new DockerException(
                        ErrorKind.UNAVAILABLE,
                        "This node is not a swarm manager. "
                            + "Use \"docker swarm init\" or \"docker swarm join\" to connect this node to swarm and try again.")));
    Http.route(r, HttpMethod.GET, "/info").handler(Http.json(200, this::getInfo));
  }

  private void ping(RoutingContext ctx, boolean body) {
    ping(ctx.response(), body);
  }

  /**
   * The answer to {@code /_ping}, which every docker CLI command sends first: also given by the
   * server before routing (with the headers every answer has), for the unversioned path.
   */
  public static void ping(HttpServerResponse resp, boolean body) {
    resp.putHeader("Server", SERVER)
        .putHeader("API-Version", ApiVersion.MAX.toString())
        .putHeader("Docker-Experimental", "false")
        .putHeader("Ostype", "linux")
        .putHeader("Cache-Control", "no-cache, no-store, must-revalidate")
        .putHeader("Pragma", "no-cache")
        .putHeader("Content-Type", "text/plain; charset=utf-8");
    if (body) {
      resp.end("OK");
    } else {
      resp.putHeader("Content-Length", "0").end();
    }
  }

  private Future<Map<String, Object>> getVersion(RoutingContext ctx) {
    Map<String, Object> v = new LinkedHashMap<>();
    String kernel = containers.nodes().stream().findFirst().map(Heartbeat::kernel).orElse("");
    v.put("Platform", Map.of("Name", "sdc-docker"));
    v.put(
        "Components",
        List.of(
            Map.of(
                "Name",
                "Engine",
                "Version",
                VERSION,
                "Details",
                Map.of(
                    "ApiVersion",
                    ApiVersion.MAX.toString(),
                    "MinAPIVersion",
                    ApiVersion.MIN.toString(),
                    "Os",
                    "linux",
                    "Arch",
                    "amd64",
                    "KernelVersion",
                    kernel))));
    v.put("Version", VERSION);
    v.put("ApiVersion", ApiVersion.MAX.toString());
    v.put("MinAPIVersion", ApiVersion.MIN.toString());
    v.put("GitCommit", "sdc-docker");
    v.put("GoVersion", "java" + System.getProperty("java.version"));
    v.put("Os", "linux");
    v.put("Arch", "amd64");
    v.put("KernelVersion", kernel);
    v.put("BuildTime", "");
    return Future.succeededFuture(v);
  }

  private Future<Map<String, Object>> getInfo(RoutingContext ctx) {
    String account = Accounts.of(ctx);
    List<ZoneRecord> mine = containers.list(account);
    long running = mine.stream().filter(z -> z.state().running()).count();
    List<Heartbeat> nodes = List.copyOf(containers.nodes());
    Map<String, Object> i = new LinkedHashMap<>();
    i.put("ID", datacenter);
    i.put("Containers", mine.size());
    i.put("ContainersRunning", running);
    i.put("ContainersPaused", 0);
    i.put("ContainersStopped", mine.size() - running);
    i.put("Images", images.list(account).size());
    i.put("Driver", "sdc");
    i.put("DriverStatus", List.of());
    i.put("SystemStatus", systemStatus(account, nodes));
    i.put(
        "Plugins", Map.of("Volume", List.of(), "Network", List.of(), "Log", List.of("json-file")));
    i.put("MemoryLimit", true);
    i.put("SwapLimit", false);
    i.put("CpuCfsPeriod", false);
    i.put("CpuCfsQuota", false);
    i.put("CPUShares", true);
    i.put("IPv4Forwarding", true);
    i.put("Debug", false);
    i.put("NFd", 0);
    i.put("NGoroutines", Thread.activeCount());
    i.put("SystemTime", Instant.now().toString());
    i.put("LoggingDriver", "json-file");
    i.put("CgroupDriver", "cgroupfs");
    i.put("CgroupVersion", "1");
    i.put("NEventsListener", 0);
    i.put("KernelVersion", nodes.isEmpty() ? "" : nodes.get(0).kernel());
    i.put("OperatingSystem", "SmartDataCenter");
    i.put("OSVersion", nodes.isEmpty() ? "" : nodes.get(0).operatingSystem());
    i.put("OSType", "linux");
    i.put("Architecture", "x86_64");
    i.put("IndexServerAddress", "https://index.docker.io/v1/");
    i.put("NCPU", nodes.stream().mapToInt(Heartbeat::cpus).sum());
    i.put("MemTotal", nodes.stream().mapToLong(Heartbeat::memoryBytes).sum());
    i.put("DockerRootDir", "/");
    i.put("Name", datacenter);
    i.put("Labels", List.of());
    i.put("ExperimentalBuild", false);
    i.put("ServerVersion", VERSION);
    i.put("Runtimes", Map.of("runc", Map.of("path", "runc")));
    i.put("DefaultRuntime", "runc");
    i.put(
        "Swarm",
        Map.of(
            "LocalNodeState",
            "inactive",
            "NodeID",
            "",
            "NodeAddr",
            "",
            "ControlAvailable",
            false,
            "Error",
            "",
            "RemoteManagers",
            List.of()));
    i.put("LiveRestoreEnabled", true);
    i.put("Isolation", "");
    i.put("InitBinary", "dockerinit");
    i.put("SecurityOptions", List.of());
    i.put("Warnings", List.of());
    return Future.succeededFuture(i);
  }
}
