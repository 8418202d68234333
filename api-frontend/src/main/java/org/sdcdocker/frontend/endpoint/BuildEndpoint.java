package org.sdcdocker.frontend.endpoint;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.sdcdocker.frontend.builder.BuildCancel;
import org.sdcdocker.frontend.builder.BuildOptions;
import org.sdcdocker.frontend.builder.BuildService;
import org.sdcdocker.frontend.cluster.EventLog;
import org.sdcdocker.frontend.http.Http;
import org.sdcdocker.frontend.image.ImageRecord;
import org.sdcdocker.frontend.image.ImageReference;
import org.sdcdocker.frontend.image.ImageStore;
import org.sdcdocker.frontend.image.RegistryAuth;
import org.sdcdocker.protocol.DockerException;
import org.sdcdocker.protocol.Json;
import org.sdcdocker.protocol.agent.FrontendEvents.DockerEvent;

/**
 * docker build ({@code POST /build}, the classic builder): the context arrives as the body and is
 * kept in a scratch file; the build runs on a worker of its own, its messages streamed as Docker's
 * JSON lines; the image is tagged with every {@code t} at the end.
 */
public final class BuildEndpoint {
  private final Vertx vertx;
  private final ImageStore images;
  private final BuildService builds;
  private final EventLog events;
  private final WorkerExecutor workers;

  public BuildEndpoint(Vertx vertx, ImageStore images, BuildService builds, EventLog events) {
    this.vertx = vertx;
    this.images = images;
    this.builds = builds;
    this.events = events;
    this.workers = vertx.createSharedWorkerExecutor("sdc-build", 8, 24, TimeUnit.HOURS);
  }

  /** What {@code docker builder prune} may filter on, as Docker's. */
  private static final Set<String> BUILD_PRUNE_FILTERS =
      Set.of(
          "until",
          "id",
          "parent",
          "type",
          "description",
          "inuse",
          "shared",
          "private",
          "unused-for");

  /** The routes, as a table. */
  public void mount(Router r) {
    Http.route(r, HttpMethod.POST, "/build").handler(this::postBuild);
    Http.route(r, HttpMethod.POST, "/build/prune")
        .handler(
            Http.json(
                200,
                ctx -> {
                  // no build cache is kept: the filters are checked, and nothing is pruned
                  Filters.parse(ctx.request().getParam("filters"), BUILD_PRUNE_FILTERS);
                  return Future.succeededFuture(
                      Map.of("CachesDeleted", List.of(), "SpaceReclaimed", 0));
                }));
  }

  private void postBuild(RoutingContext ctx) {
    String account = Accounts.of(ctx);
    BuildOptions opts;
    List<ImageReference> tags = new ArrayList<>();
    Map<String, RegistryAuth> auths;
    Path tmp;
    try {
      if ("2".equals(ctx.request().getParam("version"))) {
        throw DockerException.invalid(
            "BuildKit is not offered by this server: build with DOCKER_BUILDKIT=0");
      }
      for (String t : ctx.queryParam("t")) {
        ImageReference ref = ImageReference.parse(t);
        if (ref.digest() != null) {
          throw DockerException.invalid(
              "invalid reference format: a build cannot be tagged with a digest: %s", t);
        }
        tags.add(ref);
      }
      opts =
          new BuildOptions(
              ctx.request().getParam("dockerfile", "Dockerfile"),
              tags.stream().map(ImageReference::toString).toList(),
              jsonMap(ctx.request().getParam("buildargs")),
              jsonMap(ctx.request().getParam("labels")),
              ctx.request().getParam("target", ""),
              Http.flag(ctx, "nocache"),
              !"0".equals(ctx.request().getParam("rm"))
                  && !"false".equals(ctx.request().getParam("rm")),
              Http.flag(ctx, "forcerm"),
              Http.flag(ctx, "q"),
              ctx.request().getParam("networkmode", ""),
              Http.flag(ctx, "pull"),
              stepHost(ctx),
              jsonList(ctx.request().getParam("cachefrom")));
      auths = registryConfig(ctx.request().getHeader("X-Registry-Config"));
      tmp = images.scratch().resolve("context-" + UUID.randomUUID() + ".tar");
    } catch (IOException | RuntimeException e) {
      ctx.fail(e);
      return;
    }
    ctx.request().pause();
    Context loop = vertx.getOrCreateContext();
    HttpServerResponse resp = ctx.response();
    BuildCancel cancel = new BuildCancel();
    resp.closeHandler(v -> cancel.cancel());
    String remote = ctx.request().getParam("remote", "");
    Future<Void> context =
        remote.isEmpty()
            ? vertx
                .fileSystem()
                .open(tmp.toString(), new OpenOptions().setCreate(true).setWrite(true))
                .compose(file -> ctx.request().pipeTo(file))
            : ctx.request()
                .resume()
                .end()
                .compose(
                    v ->
                        workers.executeBlocking(
                            () -> {
                              builds.fetchRemote(remote, opts.dockerfile(), tmp);
                              return null;
                            },
                            false));
    context
        .onFailure(
            e -> {
              ctx.fail(e);
              vertx.fileSystem().delete(tmp.toString());
            })
        .onSuccess(
            v -> {
              resp.setChunked(true)
                  .putHeader("Content-Type", "application/json")
                  .setStatusCode(200);
              workers
                  .executeBlocking(
                      () -> {
                        ImageRecord img;
                        try (InputStream in = Files.newInputStream(tmp)) {
                          img =
                              builds.build(
                                  account,
                                  in,
                                  opts,
                                  auths,
                                  msg -> {
                                    if (cancel.cancelled()) {
                                      throw DockerException.internal(
                                          "the client went away: build cancelled");
                                    }
                                    send(resp, msg);
                                  },
                                  loop,
                                  cancel);
                        } finally {
                          Files.deleteIfExists(tmp);
                        }
                        finish(
                            account,
                            img,
                            tags,
                            opts.quiet(),
                            resp); // tags are written to disk: here, not on the event loop
                        return img;
                      },
                      false)
                  .onComplete(Http.endStream(resp));
            });
  }

  /** The image's id for the client (aux), Docker's closing lines, and the tags. */
  private void finish(
      String account,
      ImageRecord img,
      List<ImageReference> tags,
      boolean quiet,
      HttpServerResponse resp)
      throws IOException {
    ObjectNode aux = Json.MAPPER.createObjectNode();
    aux.putObject("aux").put("ID", img.id());
    send(resp, aux);
    if (quiet) {
      send(resp, Json.MAPPER.createObjectNode().put("stream", img.id() + "\n"));
    } else {
      send(
          resp,
          Json.MAPPER
              .createObjectNode()
              .put("stream", "Successfully built " + img.id().substring(7, 19) + "\n"));
    }
    for (ImageReference t : tags) {
      images.tag(account, img, t);
      String name = t.familiarName() + ":" + t.tag();
      events.add(
          new DockerEvent(account, "image", "tag", img.id(), Map.of("name", name), EventLog.now()));
      if (!quiet) {
        send(
            resp,
            Json.MAPPER.createObjectNode().put("stream", "Successfully tagged " + name + "\n"));
      }
    }
  }

  /** docker build's limits and extra hosts of its steps' containers, as a HostConfig. */
  private static ObjectNode stepHost(RoutingContext ctx) {
    ObjectNode hc = Json.MAPPER.createObjectNode();
    Map<String, String> longs =
        Map.of(
            "memory",
            "Memory",
            "memswap",
            "MemorySwap",
            "cpushares",
            "CpuShares",
            "cpuperiod",
            "CpuPeriod",
            "cpuquota",
            "CpuQuota",
            "shmsize",
            "ShmSize");
    longs.forEach(
        (param, field) -> {
          String v = ctx.request().getParam(param, "");
          if (!v.isEmpty() && !v.equals("0")) {
            try {
              hc.put(field, Long.parseLong(v));
            } catch (NumberFormatException e) {
              throw DockerException.invalid("invalid value for %s: %s", param, v);
            }
          }
        });
    String cpus = ctx.request().getParam("cpusetcpus", "");
    if (!cpus.isEmpty()) {
      hc.put("CpusetCpus", cpus);
    }
    String ulimits = ctx.request().getParam("ulimits", "");
    if (!ulimits.isEmpty() && !ulimits.equals("null")) {
      try {
        hc.set("Ulimits", Json.MAPPER.readTree(ulimits));
      } catch (IOException e) {
        throw DockerException.invalid("invalid JSON in ulimits: %s", ulimits);
      }
    }
    var hosts = hc.putArray("ExtraHosts");
    ctx.queryParam("extrahosts").stream()
        .flatMap(h -> Arrays.stream(h.split(",")))
        .filter(h -> !h.isBlank())
        .forEach(hosts::add);
    if (hosts.isEmpty()) {
      hc.remove("ExtraHosts");
    }
    return hc;
  }

  private static void send(HttpServerResponse resp, ObjectNode msg) {
    resp.write(Buffer.buffer(Json.bytes(msg)).appendString("\r\n"));
  }

  /** A JSON array of strings in a query parameter (absent, empty or null: none). */
  private static List<String> jsonList(String json) {
    if (json == null || json.isBlank()) {
      return List.of();
    }
    try {
      List<String> l = Json.MAPPER.readValue(json, new TypeReference<List<String>>() {});
      return l == null ? List.of() : l.stream().filter(Objects::nonNull).toList();
    } catch (IOException e) {
      throw DockerException.invalid("invalid JSON in query: %s", json);
    }
  }

  private static Map<String, String> jsonMap(String json) {
    if (json == null || json.isBlank()) {
      return Map.of();
    }
    try {
      Map<String, String> m =
          Json.MAPPER.readValue(json, new TypeReference<LinkedHashMap<String, String>>() {});
      if (m == null) {
        return Map.of(); // Go's client sends JSON null for an empty map
      }
      m.values().removeIf(Objects::isNull);
      return m;
    } catch (IOException e) {
      throw DockerException.invalid("invalid JSON in query: %s", json);
    }
  }

  /** X-Registry-Config: base64url JSON of registry → credentials; anonymous when absent. */
  private static Map<String, RegistryAuth> registryConfig(String header) {
    if (header == null || header.isBlank()) {
      return Map.of();
    }
    try {
      byte[] json =
          Base64.getUrlDecoder()
              .decode(header.trim().replace('+', '-').replace('/', '_').replace("=", ""));
      Map<String, RegistryAuth> m =
          Json.MAPPER.readValue(
              new String(json, StandardCharsets.UTF_8),
              new TypeReference<LinkedHashMap<String, RegistryAuth>>() {});
      return m == null ? Map.of() : m;
    } catch (IOException | IllegalArgumentException e) {
      return Map.of();
    }
  }
}
