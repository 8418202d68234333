package org.sdcdocker.frontend.endpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import org.sdcdocker.frontend.cluster.EventLog;
import org.sdcdocker.frontend.http.Http;
import org.sdcdocker.frontend.image.ImageImport;
import org.sdcdocker.frontend.image.ImageRecord;
import org.sdcdocker.frontend.image.ImageReference;
import org.sdcdocker.frontend.image.ImageSearch;
import org.sdcdocker.frontend.image.ImageStore;
import org.sdcdocker.frontend.image.PullTask;
import org.sdcdocker.frontend.image.PushTask;
import org.sdcdocker.frontend.image.RegistryAuth;
import org.sdcdocker.frontend.image.RegistryLogin;
import org.sdcdocker.protocol.DockerException;
import org.sdcdocker.protocol.Json;

/**
 * Images to and from registries and elsewhere: pull and import ({@code POST /images/create}), push,
 * search, and the registry login check ({@code POST /auth}).
 */
public final class ImageTransfersEndpoint {
  private final Vertx vertx;
  private final ImageStore images;
  private final HttpClient http = PullTask.newHttpClient();
  private final EventLog events;

  public ImageTransfersEndpoint(Vertx vertx, ImageStore images, EventLog events) {
    this.vertx = vertx;
    this.images = images;
    this.events = events;
  }

  /** The routes, as a table. */
  public void mount(Router r) {
    Http.route(r, HttpMethod.POST, "/images/create").handler(this::postImagesCreate);
    Http.route(r, HttpMethod.POST, "/auth")
        .handler(BodyHandler.create().setBodyLimit(1 << 16))
        .handler(Http.json(200, this::postAuth));
    Http.route(r, HttpMethod.POST, "/images/(?<name>.+)/push").handler(this::postPush);
    Http.route(r, HttpMethod.GET, "/images/search").handler(Http.json(200, this::getSearch));
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
    String refText =
        tag == null || tag.isEmpty() ? from : from + (tag.startsWith("sha256:") ? "@" : ":") + tag;
    ImageReference ref;
    try {
      ref = ImageReference.parse(refText);
    } catch (DockerException e) {
      ctx.fail(e);
      return;
    }
    RegistryAuth auth = RegistryAuth.fromHeader(ctx.request().getHeader("X-Registry-Auth"));
    boolean allTags =
        (tag == null || tag.isEmpty())
            && !from.contains("@")
            && !from.substring(from.lastIndexOf('/') + 1).contains(":"); // docker pull -a
    List<PullTask> tasks = new ArrayList<>();
    HttpServerResponse resp = ctx.response();
    vertx
        .executeBlocking(
            () -> {
              for (String t : allTags ? PullTask.tags(http, ref, auth) : List.of("")) {
                ImageReference one =
                    t.isEmpty() ? ref : ImageReference.parse(ref.familiarName() + ":" + t);
                PullTask task =
                    new PullTask(http, images, Accounts.of(ctx), one, auth)
                        .platform(ctx.request().getParam("platform"));
                task.resolve();
                tasks.add(task);
              }
              return null;
            },
            false)
        .onFailure(ctx::fail)
        .onSuccess(
            v -> {
              resp.setChunked(true)
                  .putHeader("Content-Type", "application/json")
                  .setStatusCode(200);
              vertx
                  .executeBlocking(
                      () -> {
                        for (PullTask task : tasks) {
                          task.run(
                              msg ->
                                  resp.write(Buffer.buffer(Json.bytes(msg)).appendString("\r\n")));
                          events.image(
                              Accounts.of(ctx),
                              "pull",
                              task.reference().toString(),
                              ref.familiarName());
                        }
                        return null;
                      },
                      false)
                  .onComplete(Http.endStream(resp));
            });
  }

  /**
   * docker search: a registry's catalog, or Docker Hub's search; filters is-official, is-automated,
   * stars.
   */
  private Future<List<Map<String, Object>>> getSearch(RoutingContext ctx) {
    String term = ctx.request().getParam("term", "");
    if (term.isEmpty()) {
      throw DockerException.invalid("term is required");
    }
    int limit = Http.intParam(ctx, "limit", 25);
    if (limit < 1 || limit > 100) {
      throw DockerException.invalid("limit %d is outside the range of [1, 100]", limit);
    }
    Map<String, List<String>> f =
        Filters.parse(
            ctx.request().getParam("filters"), Set.of("is-official", "is-automated", "stars"));
    RegistryAuth auth = RegistryAuth.fromHeader(ctx.request().getHeader("X-Registry-Auth"));
    return vertx.executeBlocking(
        () ->
            new ImageSearch(http)
                .search(term, limit, auth).stream()
                    .filter(
                        m ->
                            f.getOrDefault("is-official", List.of()).stream()
                                .allMatch(
                                    v -> Boolean.parseBoolean(v) == (Boolean) m.get("is_official")))
                    .filter(
                        m ->
                            f.getOrDefault("is-automated", List.of()).stream()
                                .allMatch(
                                    v ->
                                        Boolean.parseBoolean(v) == (Boolean) m.get("is_automated")))
                    .filter(
                        m ->
                            f.getOrDefault("stars", List.of()).stream()
                                .allMatch(
                                    v -> (Integer) m.get("star_count") >= Integer.parseInt(v)))
                    .toList(),
        false);
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
        for (String t :
            images.tagsByImage(account).values().stream().flatMap(List::stream).sorted().toList()) {
          if (t.substring(0, t.lastIndexOf(':')).equals(repo.familiarName())) {
            refs.add(ImageReference.parse(t));
          }
        }
      }
      if (refs.isEmpty()
          || refs.stream().anyMatch(x -> images.find(account, x.toString()).isEmpty())) {
        throw DockerException.notFound(
            "An image does not exist locally with the tag: %s", repo.familiarName());
      }
    } catch (DockerException e) {
      ctx.fail(e);
      return;
    }
    RegistryAuth auth = RegistryAuth.fromHeader(ctx.request().getHeader("X-Registry-Auth"));
    HttpServerResponse resp = ctx.response();
    resp.setChunked(true).putHeader("Content-Type", "application/json").setStatusCode(200);
    Consumer<ObjectNode> out =
        msg -> resp.write(Buffer.buffer(Json.bytes(msg)).appendString("\r\n"));
    vertx
        .executeBlocking(
            () -> {
              out.accept(
                  Json.MAPPER
                      .createObjectNode()
                      .put(
                          "status",
                          "The push refers to repository ["
                              + repo.registry()
                              + "/"
                              + repo.repository()
                              + "]"));
              for (ImageReference r : refs) {
                ImageRecord img = images.find(account, r.toString()).orElseThrow();
                new PushTask(http, images, account, img, r, auth).run(out);
                events.image(account, "push", r.toString(), r.familiarName());
              }
              return null;
            },
            false)
        .onComplete(Http.endStream(resp));
  }

  /**
   * docker import: the tarball (the request body for "-", else fetched from the http(s) URL) goes
   * to a scratch file, is checked and stored as a one-layer image, tagged when a repo is given.
   */
  private void importImage(RoutingContext ctx, String src) {
    String account = Accounts.of(ctx);
    List<String> changes =
        ctx.queryParam("changes").stream()
            .flatMap(String::lines)
            .filter(c -> !c.isBlank())
            .toList();
    String message = ctx.request().getParam("message", "");
    String repo = ctx.request().getParam("repo", "");
    String tag = ctx.request().getParam("tag", "");
    Path tmp;
    try {
      tmp = images.scratch().resolve("import-" + UUID.randomUUID() + ".tar");
      if (!repo.isEmpty()) {
        ImageReference.parse(repo + (tag.isEmpty() ? "" : ":" + tag));
      }
    } catch (IOException | RuntimeException e) {
      ctx.fail(e);
      return;
    }
    Future<Void> body;
    if (src.equals("-")) {
      ctx.request().pause();
      body =
          vertx
              .fileSystem()
              .open(tmp.toString(), new OpenOptions().setCreate(true).setWrite(true))
              .compose(file -> ctx.request().pipeTo(file));
    } else {
      body =
          vertx.executeBlocking(
              () -> {
                if (!src.startsWith("http://") && !src.startsWith("https://")) {
                  throw DockerException.invalid(
                      "import source must be - or an http(s) URL: %s", src);
                }
                var resp =
                    http.send(
                        HttpRequest.newBuilder(URI.create(src)).build(),
                        HttpResponse.BodyHandlers.ofFile(tmp));
                if (resp.statusCode() != 200) {
                  throw DockerException.invalid(
                      "Get \"%s\": the server answered %d", src, resp.statusCode());
                }
                return null;
              },
              false);
    }
    body.compose(
            v ->
                vertx.executeBlocking(
                    () -> {
                      ImageRecord img =
                          new ImageImport(images)
                              .importTar(
                                  account, tmp, changes, message, src.equals("-") ? "-" : src);
                      if (!repo.isEmpty()) {
                        images.tag(
                            account,
                            img,
                            ImageReference.parse(repo + (tag.isEmpty() ? "" : ":" + tag)));
                      }
                      return img;
                    },
                    false))
        .onComplete(ar -> vertx.executeBlocking(() -> Files.deleteIfExists(tmp), false))
        .onFailure(ctx::fail)
        .onSuccess(
            img -> {
              events.image(account, "import", img.id(), repo.isEmpty() ? img.id() : repo);
              ctx.response()
                  .putHeader("Content-Type", "application/json")
                  .end(Buffer.buffer(Json.bytes(Map.of("status", img.id()))).appendString("\r\n"));
            });
  }

  /**
   * docker login: the credentials are checked against the registry; nothing is kept here (the
   * client keeps them).
   */
  private Future<Map<String, Object>> postAuth(RoutingContext ctx) {
    JsonNode b = Http.jsonObject(ctx, "registry.AuthConfig", false);
    RegistryAuth auth =
        new RegistryAuth(
            b.path("username").asText(null),
            b.path("password").asText(null),
            b.path("identitytoken").asText(null),
            b.path("registrytoken").asText(null));
    String server = b.path("serveraddress").asText("");
    return vertx.executeBlocking(
        () -> {
          RegistryLogin.check(http, server, auth);
          return Map.<String, Object>of("Status", "Login Succeeded", "IdentityToken", "");
        },
        false);
  }
}
