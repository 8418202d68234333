package org.sdcdocker.frontend.endpoint;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sdcdocker.frontend.cluster.Containers;
import org.sdcdocker.frontend.cluster.VolumeBackend;
import org.sdcdocker.frontend.http.Http;
import org.sdcdocker.frontend.image.ImageRecord;
import org.sdcdocker.frontend.image.ImageStore;
import org.sdcdocker.frontend.translate.ContainerView;
import org.sdcdocker.protocol.DockerException;
import org.sdcdocker.protocol.agent.AgentRequests;
import org.sdcdocker.protocol.agent.LayerRef;
import org.sdcdocker.protocol.agent.ZoneRecord;

/**
 * {@code docker system df} ({@code GET /system/df}): the account's images, containers and volumes,
 * with sizes.
 */
public final class DiskUsageEndpoint {
  private final Vertx vertx;
  private final Containers containers;
  private final ImageStore images;
  private final VolumeBackend volumes;

  public DiskUsageEndpoint(
      Vertx vertx, Containers containers, ImageStore images, VolumeBackend volumes) {
    this.vertx = vertx;
    this.containers = containers;
    this.images = images;
    this.volumes = volumes;
  }

  /** The routes, as a table. */
  public void mount(Router r) {
    Http.route(r, HttpMethod.GET, "/system/df").handler(Http.json(200, this::getSystemDf));
  }

  /** The parts {@code type} may ask for (API 1.42 and later), by the keys of the answer. */
  private static final Map<String, List<String>> PARTS =
      Map.of(
          "container", List.of("Containers"),
          "image", List.of("LayersSize", "Images"),
          "volume", List.of("Volumes"),
          "build-cache", List.of("BuildCache"));

  private Future<Map<String, Object>> getSystemDf(RoutingContext ctx) {
    List<String> types = ctx.queryParam("type");
    if (!Http.version(ctx).atLeast(1, 42)) {
      types = List.of(); // older clients always get every part
    }
    for (String t : types) {
      if (!PARTS.containsKey(t)) {
        throw DockerException.invalid("unknown object type: %s", t);
      }
    }
    List<String> wanted = types;
    return usage(ctx)
        .map(
            all -> {
              if (!wanted.isEmpty()) {
                List<String> keep = wanted.stream().flatMap(t -> PARTS.get(t).stream()).toList();
                all.keySet().retainAll(keep);
              }
              return all;
            });
  }

  private Future<Map<String, Object>> usage(RoutingContext ctx) {
    String account = Accounts.of(ctx);
    List<ZoneRecord> zones = containers.list(account);
    List<Future<AgentRequests.SizesResult>> sizes = zones.stream().map(containers::sizes).toList();
    Future<Map<String, Object>> imagePart =
        vertx.executeBlocking(() -> imageUsage(account, zones), false);
    Future<List<Map<String, Object>>> volumePart =
        volumes
            .list(account)
            .compose(
                l ->
                    volumes
                        .sizes(account)
                        .map(
                            sz -> {
                              List<Map<String, Object>> out = new ArrayList<>();
                              l.forEach(
                                  u -> {
                                    Map<String, Object> v =
                                        new LinkedHashMap<>(VolumesEndpoint.view(u.volume()));
                                    v.put(
                                        "UsageData",
                                        Map.of(
                                            "Size",
                                            sz.getOrDefault(u.volume().name(), -1L),
                                            "RefCount",
                                            u.usedBy().size()));
                                    out.add(v);
                                  });
                              return out;
                            }));
    return Future.join(List.of(Future.join(sizes), imagePart, volumePart))
        .transform(
            ar -> {
              List<Map<String, Object>> cs = new ArrayList<>();
              for (int i = 0; i < zones.size(); i++) {
                Map<String, Object> c = new LinkedHashMap<>(ContainerView.summary(zones.get(i)));
                if (sizes.get(i).succeeded()) {
                  c.put("SizeRw", sizes.get(i).result().sizeRw());
                  c.put("SizeRootFs", sizes.get(i).result().sizeRootFs());
                }
                cs.add(c);
              }
              Map<String, Object> out =
                  new LinkedHashMap<>(imagePart.succeeded() ? imagePart.result() : Map.of());
              out.put("Containers", cs);
              out.put("Volumes", volumePart.succeeded() ? volumePart.result() : List.of());
              out.put("BuildCache", List.of());
              return Future.succeededFuture(out);
            });
  }

  /**
   * LayersSize (each layer once) and the images, each with its containers and what it shares with
   * others.
   */
  private Map<String, Object> imageUsage(String account, List<ZoneRecord> zones) {
    Map<String, List<String>> tags = images.tagsByImage(account);
    List<ImageRecord> mine = images.list(account);
    Map<String, Integer> users = new HashMap<>();
    Map<String, LayerRef> layers = new LinkedHashMap<>();
    Map<String, Integer> layerUse = new HashMap<>();
    zones.forEach(z -> users.merge(z.spec().imageId(), 1, Integer::sum));
    for (ImageRecord img : mine) {
      img.layers()
          .forEach(
              l -> {
                layers.putIfAbsent(l.digest(), l);
                layerUse.merge(l.digest(), 1, Integer::sum);
              });
    }
    List<Map<String, Object>> out = new ArrayList<>();
    for (ImageRecord img : mine) {
      long shared =
          img.layers().stream()
              .filter(l -> layerUse.get(l.digest()) > 1)
              .mapToLong(LayerRef::size)
              .sum();
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("Id", img.id());
      m.put("ParentId", "");
      m.put("RepoTags", tags.getOrDefault(img.id(), List.of()));
      m.put("RepoDigests", img.repoDigests());
      m.put("Created", ImagesEndpoint.created(img));
      m.put("Size", img.size());
      m.put("SharedSize", shared);
      m.put("VirtualSize", img.size());
      m.put("Labels", Map.of());
      m.put("Containers", users.getOrDefault(img.id(), 0));
      out.add(m);
    }
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("LayersSize", layers.values().stream().mapToLong(LayerRef::size).sum());
    result.put("Images", out);
    return result;
  }
}
