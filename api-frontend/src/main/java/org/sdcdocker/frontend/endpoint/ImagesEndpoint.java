package org.sdcdocker.frontend.endpoint;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.net.http.HttpClient;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.sdcdocker.frontend.cluster.EventLog;
import org.sdcdocker.frontend.http.Http;
import org.sdcdocker.frontend.image.ImageRecord;
import org.sdcdocker.frontend.image.ImageStore;
import org.sdcdocker.frontend.image.PullTask;
import org.sdcdocker.protocol.DockerException;
import org.sdcdocker.protocol.Json;

/** Images: pull ({@code POST /images/create}), list and inspect. */
public final class ImagesEndpoint {
  private final Vertx vertx;
  private final ImageStore images;
  private final HttpClient http = PullTask.newHttpClient();
  private final EventLog events;

  public ImagesEndpoint(Vertx vertx, ImageStore images, EventLog events) {
    this.vertx = vertx;
    this.images = images;
    this.events = events;
  }

  /** The routes, as a table. */
  public void mount(Router r) {
    Http.route(r, HttpMethod.GET, "/images/json").handler(Http.json(200, this::getImagesJson));
    Http.route(r, HttpMethod.GET, "/images/(?<name>.+)/json")
        .handler(Http.json(200, this::getImageJson));
  }

  /** Image configs are read from the blob store: off the event loop. */
  private Future<List<Map<String, Object>>> getImagesJson(RoutingContext ctx) {
    String account = Accounts.of(ctx);
    Map<String, List<String>> f =
        Filters.parse(
            ctx.request().getParam("filters"),
            Set.of("dangling", "label", "reference", "before", "since", "until"));
    boolean all = Http.flag(ctx, "all");
    return vertx.executeBlocking(() -> filtered(account, listImages(account, all), f), false);
  }

  /**
   * Docker's image filters: dangling, label, reference (a glob on repo[:tag]), before, since,
   * until.
   */
  private List<Map<String, Object>> filtered(
      String account, List<Map<String, Object>> all, Map<String, List<String>> f) {
    Predicate<Map<String, Object>> p = m -> true;
    for (String d : f.getOrDefault("dangling", List.of())) {
      boolean want = d.equals("true") || d.equals("1");
      p = p.and(m -> ((List<?>) m.get("RepoTags")).isEmpty() == want);
    }
    for (String l : f.getOrDefault("label", List.of())) {
      String[] kv = l.split("=", 2);
      p =
          p.and(
              m -> {
                Object labels = m.get("Labels");
                JsonNode n = Json.MAPPER.valueToTree(labels);
                return n.has(kv[0]) && (kv.length == 1 || n.path(kv[0]).asText().equals(kv[1]));
              });
    }
    if (f.containsKey("reference")) { // as Docker's: only the matching tags are listed
      List<Pattern> globs = f.get("reference").stream().map(ImagesEndpoint::glob).toList();
      Predicate<String> matches =
          t ->
              globs.stream()
                  .anyMatch(
                      g ->
                          g.matcher(t).matches()
                              || g.matcher(t.substring(0, t.lastIndexOf(':'))).matches());
      all =
          all.stream()
              .map(
                  m -> {
                    Map<String, Object> copy = new LinkedHashMap<>(m);
                    copy.put(
                        "RepoTags",
                        ((List<?>) m.get("RepoTags"))
                            .stream().map(Object::toString).filter(matches).toList());
                    copy.put(
                        "RepoDigests",
                        ((List<?>) m.get("RepoDigests"))
                            .stream()
                                .map(Object::toString)
                                .filter(d -> matches.test(d.substring(0, d.indexOf('@')) + ":"))
                                .toList());
                    return copy;
                  })
              .filter(
                  m ->
                      !((List<?>) m.get("RepoTags")).isEmpty()
                          || !((List<?>) m.get("RepoDigests")).isEmpty())
              .toList();
    }
    for (String key : List.of("before", "since")) {
      for (String ref : f.getOrDefault(key, List.of())) {
        ImageRecord pivot =
            images
                .find(account, ref)
                .orElseThrow(() -> DockerException.notFound("No such image: %s", ref));
        long t = created(pivot);
        p =
            p.and(
                key.equals("before")
                    ? m -> (Long) m.get("Created") < t
                    : m -> (Long) m.get("Created") > t);
      }
    }
    for (String u : f.getOrDefault("until", List.of())) {
      long t = NetworkViews.instant(u).getEpochSecond();
      p = p.and(m -> (Long) m.get("Created") < t);
    }
    return all.stream().filter(p).toList();
  }

  /** A reference filter's glob: * matches within a path component, as Docker's path.Match. */
  private static Pattern glob(String g) {
    StringBuilder b = new StringBuilder();
    for (char c : g.toCharArray()) {
      b.append(c == '*' ? "[^/]*" : c == '?' ? "[^/]" : Pattern.quote(String.valueOf(c)));
    }
    return Pattern.compile(b.toString());
  }

  /**
   * The account's images; without {@code all}, as Docker, not the untagged ones other images were
   * made from (a build's intermediate steps).
   */
  private List<Map<String, Object>> listImages(String account, boolean all) {
    Map<String, List<String>> tags = images.tagsByImage(account);
    List<Map<String, Object>> out = new ArrayList<>();
    Set<String> parents = images.parents(account);
    for (ImageRecord img : images.list(account)) {
      if (!all && !tags.containsKey(img.id()) && parents.contains(img.id())) {
        continue;
      }
      JsonNode cfg = images.config(img);
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("Id", img.id());
      m.put("ParentId", parent(account, img));
      m.put("RepoTags", tags.getOrDefault(img.id(), List.of()));
      m.put("RepoDigests", img.repoDigests());
      m.put("Created", created(img));
      m.put("Size", img.size());
      m.put("SharedSize", -1);
      m.put("VirtualSize", img.size());
      m.put(
          "Labels",
          cfg.path("config").path("Labels").isObject()
              ? cfg.path("config").path("Labels")
              : Map.of());
      m.put("Containers", -1);
      out.add(m);
    }
    out.sort((a, b) -> Long.compare((Long) b.get("Created"), (Long) a.get("Created")));
    return out;
  }

  /** The image it was made from here, when the account still has it; else "" as Docker. */
  private String parent(String account, ImageRecord img) {
    return img.parent() != null && images.owns(account, img.parent()) ? img.parent() : "";
  }

  static long created(ImageRecord img) {
    return epochSeconds(img.created());
  }

  /** An RFC 3339 time of an image config as Unix seconds; 0 when absent or unreadable. */
  static long epochSeconds(String rfc3339) {
    try {
      return rfc3339 == null || rfc3339.isEmpty()
          ? 0
          : OffsetDateTime.parse(rfc3339).toEpochSecond();
    } catch (DateTimeParseException e) {
      return 0;
    }
  }

  private Future<Map<String, Object>> getImageJson(RoutingContext ctx) {
    String account = Accounts.of(ctx);
    String name = ctx.pathParam("name");
    return vertx.executeBlocking(() -> inspectImage(account, name), false);
  }

  private Map<String, Object> inspectImage(String account, String name) {
    ImageRecord img =
        images
            .find(account, name)
            .orElseThrow(() -> DockerException.notFound("No such image: %s", name));
    JsonNode cfg = images.config(img);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("Id", img.id());
    m.put("RepoTags", images.tagsByImage(account).getOrDefault(img.id(), List.of()));
    m.put("RepoDigests", img.repoDigests());
    m.put("Parent", parent(account, img));
    m.put("Comment", cfg.path("comment").asText(""));
    m.put("Created", img.created());
    m.put("Container", cfg.path("container").asText(""));
    if (cfg.has("container_config")) {
      m.put("ContainerConfig", cfg.get("container_config"));
    }
    m.put("DockerVersion", cfg.path("docker_version").asText(""));
    m.put("Author", cfg.path("author").asText(""));
    m.put("Config", cfg.path("config"));
    m.put("Architecture", cfg.path("architecture").asText("amd64"));
    m.put("Os", cfg.path("os").asText("linux"));
    m.put("Size", img.size());
    m.put("GraphDriver", Map.of("Name", "sdc", "Data", Map.of()));
    List<String> layers = new ArrayList<>();
    cfg.path("rootfs").path("diff_ids").forEach(d -> layers.add(d.asText()));
    m.put(
        "RootFS",
        Map.of("Type", cfg.path("rootfs").path("type").asText("layers"), "Layers", layers));
    m.put("Metadata", Map.of("LastTagTime", "0001-01-01T00:00:00Z"));
    return m;
  }
}
