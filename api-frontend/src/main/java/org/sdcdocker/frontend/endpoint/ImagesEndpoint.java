package org.sdcdocker.frontend.endpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.net.http.HttpClient;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sdcdocker.frontend.cluster.EventLog;
import org.sdcdocker.frontend.image.ImageRecord;
import org.sdcdocker.frontend.image.ImageReference;
import org.sdcdocker.frontend.image.ImageStore;
import org.sdcdocker.frontend.image.PullTask;
import org.sdcdocker.frontend.image.RegistryAuth;
import org.sdcdocker.frontend.server.Http;
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
    Http.route(r, HttpMethod.POST, "/images/create").handler(this::postImagesCreate);
    Http.route(r, HttpMethod.POST, "/auth").handler(io.vertx.ext.web.handler.BodyHandler.create().setBodyLimit(1 << 16))
        .handler(Http.json(200, this::postAuth));
    Http.route(r, HttpMethod.GET, "/images/json").handler(Http.json(200, this::getImagesJson));
    Http.route(r, HttpMethod.POST, "/images/(?<name>.+)/push").handler(this::postPush);
    Http.route(r, HttpMethod.GET, "/images/search").handler(Http.json(200, this::getSearch));
    Http.route(r, HttpMethod.GET, "/images/(?<name>.+)/json").handler(Http.json(200, this::getImageJson));
  }

  /**
   * Resolves the manifest first, so that a missing image is a plain error with a status; then
   * streams Docker's progress messages while the blobs come in.
   */
  private void postImagesCreate(RoutingContext ctx) {
    String src = ctx.request().getParam("fromSrc");
    if (src != null && !src.isEmpty()) {
      importImage(ctx, src);
      return;
    }
    String from = ctx.request().getParam("fromImage");
    if (from == null || from.isEmpty()) {
      ctx.fail(DockerException.invalid("fromImage or fromSrc is required"));
      return;
    }
    String tag = ctx.request().getParam("tag");
    String refText = tag == null || tag.isEmpty() ? from
        : from + (tag.startsWith("sha256:") ? "@" : ":") + tag;
    ImageReference ref;
    try {
      ref = ImageReference.parse(refText);
    } catch (DockerException e) {
      ctx.fail(e);
      return;
    }
    RegistryAuth auth = RegistryAuth.fromHeader(ctx.request().getHeader("X-Registry-Auth"));
    boolean allTags = (tag == null || tag.isEmpty()) && !from.contains("@")
        && !from.substring(from.lastIndexOf('/') + 1).contains(":"); // docker pull -a
    List<PullTask> tasks = new ArrayList<>();
    HttpServerResponse resp = ctx.response();
    vertx.executeBlocking(() -> {
      for (String t : allTags ? PullTask.tags(http, ref, auth) : List.of("")) {
        ImageReference one = t.isEmpty() ? ref : ImageReference.parse(ref.familiarName() + ":" + t);
        PullTask task = new PullTask(http, images, Accounts.of(ctx), one, auth)
            .platform(ctx.request().getParam("platform"));
        task.resolve();
        tasks.add(task);
      }
      return null;
    }, false).onFailure(ctx::fail).onSuccess(v -> {
      resp.setChunked(true).putHeader("Content-Type", "application/json").setStatusCode(200);
      vertx.executeBlocking(() -> {
        for (PullTask task : tasks) {
          task.run(msg -> resp.write(Buffer.buffer(Json.bytes(msg)).appendString("\r\n")));
          events.image(Accounts.of(ctx), "pull", task.reference().toString(), ref.familiarName());
        }
        return null;
      }, false).onComplete(ar -> {
        if (ar.failed()) {
          Http.streamError(resp, ar.cause());
        }
        resp.end();
      });
    });
  }

  /** docker search: a registry's catalog, or Docker Hub's search; filters is-official, is-automated, stars. */
  private Future<List<Map<String, Object>>> getSearch(RoutingContext ctx) {
    String term = ctx.request().getParam("term", "");
    if (term.isEmpty()) {
      throw DockerException.invalid("term is required");
    }
    int limit = Http.intParam(ctx, "limit", 25);
    if (limit < 1 || limit > 100) {
      throw DockerException.invalid("limit %d is outside the range of [1, 100]", limit);
    }
    Map<String, List<String>> f = Filters.parse(ctx.request().getParam("filters"),
        java.util.Set.of("is-official", "is-automated", "stars"));
    RegistryAuth auth = RegistryAuth.fromHeader(ctx.request().getHeader("X-Registry-Auth"));
    return vertx.executeBlocking(() -> new org.sdcdocker.frontend.image.ImageSearch(http).search(term, limit, auth)
        .stream().filter(m -> f.getOrDefault("is-official", List.of()).stream()
            .allMatch(v -> Boolean.parseBoolean(v) == (Boolean) m.get("is_official")))
        .filter(m -> f.getOrDefault("is-automated", List.of()).stream()
            .allMatch(v -> Boolean.parseBoolean(v) == (Boolean) m.get("is_automated")))
        .filter(m -> f.getOrDefault("stars", List.of()).stream()
            .allMatch(v -> (Integer) m.get("star_count") >= Integer.parseInt(v)))
        .toList(), false);
  }

  /**
   * docker push: the named tag, or every tag of the repository the account has (push -a); each
   * one's progress streamed as Docker's, errors as the stream's last message.
   */
  private void postPush(RoutingContext ctx) {
    String account = Accounts.of(ctx);
    String name = ctx.pathParam("name");
    String tag = ctx.request().getParam("tag", "");
    List<ImageReference> refs = new ArrayList<>();
    ImageReference repo;
    try {
      repo = ImageReference.parse(name);
      if (!tag.isEmpty()) {
        refs.add(ImageReference.parse(repo.familiarName() + ":" + tag));
      } else {
        for (String t : images.tagsByImage(account).values().stream().flatMap(List::stream).sorted().toList()) {
          if (t.substring(0, t.lastIndexOf(':')).equals(repo.familiarName())) {
            refs.add(ImageReference.parse(t));
          }
        }
      }
      if (refs.isEmpty() || refs.stream().anyMatch(x -> images.find(account, x.toString()).isEmpty())) {
        throw DockerException.notFound("An image does not exist locally with the tag: %s", repo.familiarName());
      }
    } catch (DockerException e) {
      ctx.fail(e);
      return;
    }
    RegistryAuth auth = RegistryAuth.fromHeader(ctx.request().getHeader("X-Registry-Auth"));
    HttpServerResponse resp = ctx.response();
    resp.setChunked(true).putHeader("Content-Type", "application/json").setStatusCode(200);
    java.util.function.Consumer<ObjectNode> out = msg -> resp.write(Buffer.buffer(Json.bytes(msg)).appendString("\r\n"));
    vertx.executeBlocking(() -> {
      out.accept(Json.MAPPER.createObjectNode().put("status", "The push refers to repository ["
          + repo.registry() + "/" + repo.repository() + "]"));
      for (ImageReference r : refs) {
        ImageRecord img = images.find(account, r.toString()).orElseThrow();
        new org.sdcdocker.frontend.image.PushTask(http, images, account, img, r, auth).run(out);
        events.image(account, "push", r.toString(), r.familiarName());
      }
      return null;
    }, false).onComplete(ar -> {
      if (ar.failed()) {
        Http.streamError(resp, ar.cause());
      }
      resp.end();
    });
  }

  /**
   * docker import: the tarball (the request body for "-", else fetched from the http(s) URL) goes
   * to a scratch file, is checked and stored as a one-layer image, tagged when a repo is given.
   */
  private void importImage(RoutingContext ctx, String src) {
    String account = Accounts.of(ctx);
    List<String> changes = ctx.queryParam("changes").stream().flatMap(String::lines).filter(c -> !c.isBlank()).toList();
    String message = ctx.request().getParam("message", "");
    String repo = ctx.request().getParam("repo", "");
    String tag = ctx.request().getParam("tag", "");
    java.nio.file.Path tmp;
    try {
      tmp = images.scratch().resolve("import-" + java.util.UUID.randomUUID() + ".tar");
      if (!repo.isEmpty()) {
        ImageReference.parse(repo + (tag.isEmpty() ? "" : ":" + tag));
      }
    } catch (java.io.IOException | RuntimeException e) {
      ctx.fail(e);
      return;
    }
    Future<Void> body;
    if (src.equals("-")) {
      ctx.request().pause();
      body = vertx.fileSystem().open(tmp.toString(), new io.vertx.core.file.OpenOptions().setCreate(true).setWrite(true))
          .compose(file -> ctx.request().pipeTo(file));
    } else {
      body = vertx.executeBlocking(() -> {
        if (!src.startsWith("http://") && !src.startsWith("https://")) {
          throw DockerException.invalid("import source must be - or an http(s) URL: %s", src);
        }
        var resp = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(src)).build(),
            java.net.http.HttpResponse.BodyHandlers.ofFile(tmp));
        if (resp.statusCode() != 200) {
          throw DockerException.invalid("Get \"%s\": the server answered %d", src, resp.statusCode());
        }
        return null;
      }, false);
    }
    body.compose(v -> vertx.executeBlocking(() -> {
      ImageRecord img = new org.sdcdocker.frontend.image.ImageImport(images).importTar(account, tmp, changes, message,
          src.equals("-") ? "-" : src);
      if (!repo.isEmpty()) {
        images.tag(account, img, ImageReference.parse(repo + (tag.isEmpty() ? "" : ":" + tag)));
      }
      return img;
    }, false))
        .onComplete(ar -> vertx.executeBlocking(() -> java.nio.file.Files.deleteIfExists(tmp), false))
        .onFailure(ctx::fail)
        .onSuccess(img -> {
          events.image(account, "import", img.id(), repo.isEmpty() ? img.id() : repo);
          ctx.response().putHeader("Content-Type", "application/json")
              .end(Buffer.buffer(Json.bytes(Map.of("status", img.id()))).appendString("\r\n"));
        });
  }

  /** docker login: the credentials are checked against the registry; nothing is kept here (the client keeps them). */
  private Future<Map<String, Object>> postAuth(RoutingContext ctx) {
    JsonNode b = Http.jsonObject(ctx, "registry.AuthConfig", false);
    RegistryAuth auth = new RegistryAuth(b.path("username").asText(null), b.path("password").asText(null),
        b.path("identitytoken").asText(null), b.path("registrytoken").asText(null));
    String server = b.path("serveraddress").asText("");
    return vertx.executeBlocking(() -> {
      org.sdcdocker.frontend.image.RegistryLogin.check(http, server, auth);
      return Map.<String, Object>of("Status", "Login Succeeded", "IdentityToken", "");
    }, false);
  }

  /** Image configs are read from the blob store: off the event loop. */
  private Future<List<Map<String, Object>>> getImagesJson(RoutingContext ctx) {
    String account = Accounts.of(ctx);
    Map<String, List<String>> f = Filters.parse(ctx.request().getParam("filters"),
        java.util.Set.of("dangling", "label", "reference", "before", "since", "until"));
    boolean all = Http.flag(ctx, "all");
    return vertx.executeBlocking(() -> filtered(account, listImages(account, all), f), false);
  }

  /** Docker's image filters: dangling, label, reference (a glob on repo[:tag]), before, since, until. */
  private List<Map<String, Object>> filtered(String account, List<Map<String, Object>> all,
      Map<String, List<String>> f) {
    java.util.function.Predicate<Map<String, Object>> p = m -> true;
    for (String d : f.getOrDefault("dangling", List.of())) {
      boolean want = d.equals("true") || d.equals("1");
      p = p.and(m -> ((List<?>) m.get("RepoTags")).isEmpty() == want);
    }
    for (String l : f.getOrDefault("label", List.of())) {
      String[] kv = l.split("=", 2);
      p = p.and(m -> {
        Object labels = m.get("Labels");
        JsonNode n = Json.MAPPER.valueToTree(labels);
        return n.has(kv[0]) && (kv.length == 1 || n.path(kv[0]).asText().equals(kv[1]));
      });
    }
    if (f.containsKey("reference")) { // as Docker's: only the matching tags are listed
      List<java.util.regex.Pattern> globs = f.get("reference").stream().map(ImagesEndpoint::glob).toList();
      java.util.function.Predicate<String> matches = t -> globs.stream()
          .anyMatch(g -> g.matcher(t).matches() || g.matcher(t.substring(0, t.lastIndexOf(':'))).matches());
      all = all.stream().map(m -> {
        Map<String, Object> copy = new LinkedHashMap<>(m);
        copy.put("RepoTags", ((List<?>) m.get("RepoTags")).stream().map(Object::toString).filter(matches).toList());
        copy.put("RepoDigests", ((List<?>) m.get("RepoDigests")).stream().map(Object::toString)
            .filter(d -> matches.test(d.substring(0, d.indexOf('@')) + ":")).toList());
        return copy;
      }).filter(m -> !((List<?>) m.get("RepoTags")).isEmpty() || !((List<?>) m.get("RepoDigests")).isEmpty())
          .toList();
    }
    for (String key : List.of("before", "since")) {
      for (String ref : f.getOrDefault(key, List.of())) {
        ImageRecord pivot = images.find(account, ref).orElseThrow(() -> DockerException.notFound("No such image: %s",
            ref));
        long t = created(pivot);
        p = p.and(key.equals("before") ? m -> (Long) m.get("Created") < t : m -> (Long) m.get("Created") > t);
      }
    }
    for (String u : f.getOrDefault("until", List.of())) {
      long t = NetworkViews.instant(u).getEpochSecond();
      p = p.and(m -> (Long) m.get("Created") < t);
    }
    return all.stream().filter(p).toList();
  }

  /** A reference filter's glob: * matches within a path component, as Docker's path.Match. */
  private static java.util.regex.Pattern glob(String g) {
    StringBuilder b = new StringBuilder();
    for (char c : g.toCharArray()) {
      b.append(c == '*' ? "[^/]*" : c == '?' ? "[^/]" : java.util.regex.Pattern.quote(String.valueOf(c)));
    }
    return java.util.regex.Pattern.compile(b.toString());
  }

  /**
   * The account's images; without {@code all}, as Docker, not the untagged ones other images were
   * made from (a build's intermediate steps).
   */
  private List<Map<String, Object>> listImages(String account, boolean all) {
    Map<String, List<String>> tags = images.tagsByImage(account);
    List<Map<String, Object>> out = new ArrayList<>();
    java.util.Set<String> parents = images.parents(account);
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
      m.put("Labels", cfg.path("config").path("Labels").isObject() ? cfg.path("config").path("Labels") : Map.of());
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
      return rfc3339 == null || rfc3339.isEmpty() ? 0 : java.time.OffsetDateTime.parse(rfc3339).toEpochSecond();
    } catch (java.time.format.DateTimeParseException e) {
      return 0;
    }
  }

  private Future<Map<String, Object>> getImageJson(RoutingContext ctx) {
    String account = Accounts.of(ctx);
    String name = ctx.pathParam("name");
    return vertx.executeBlocking(() -> inspectImage(account, name), false);
  }

  private Map<String, Object> inspectImage(String account, String name) {
    ImageRecord img = images.find(account, name)
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
    m.put("RootFS", Map.of("Type", cfg.path("rootfs").path("type").asText("layers"), "Layers", layers));
    m.put("Metadata", Map.of("LastTagTime", "0001-01-01T00:00:00Z"));
    return m;
  }
}
