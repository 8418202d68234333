package org.sdcdocker.frontend.endpoint;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.Map;
import org.sdcdocker.bus.Tls;
import org.sdcdocker.frontend.cluster.Containers;
import org.sdcdocker.frontend.http.Http;
import org.sdcdocker.frontend.image.ImageCommit;
import org.sdcdocker.frontend.image.ImageRecord;
import org.sdcdocker.frontend.image.ImageReference;
import org.sdcdocker.frontend.image.ImageStore;
import org.sdcdocker.protocol.DockerException;
import org.sdcdocker.protocol.agent.ZoneRecord;

/** {@code docker commit} ({@code POST /commit}): a container's changes as a new image. */
public final class CommitEndpoint {
  private final Vertx vertx;
  private final Containers containers;
  private final ImageStore images;
  private final ImageCommit commits;

  public CommitEndpoint(Vertx vertx, Containers containers, ImageStore images, Tls tls) {
    this.vertx = vertx;
    this.containers = containers;
    this.images = images;
    this.commits = new ImageCommit(images, tls);
  }

  /** The routes, as a table. */
  public void mount(Router r) {
    Http.route(r, HttpMethod.POST, "/commit")
        .handler(BodyHandler.create().setBodyLimit(1 << 20))
        .handler(Http.json(201, this::postCommit));
  }

  private Future<Map<String, Object>> postCommit(RoutingContext ctx) {
    String account = Accounts.of(ctx);
    String ref = ctx.request().getParam("container", "");
    if (ref.isEmpty()) {
      throw DockerException.invalid("no container given to commit");
    }
    ZoneRecord r = containers.get(account, ref);
    ImageRecord parent =
        images
            .find(account, r.spec().imageId())
            .or(
                () ->
                    images.all().stream()
                        .filter(i -> i.id().equals(r.spec().imageId()))
                        .findFirst())
            .orElseThrow(
                () ->
                    DockerException.notFound(
                        "No such image: %s (the container's image is gone)", r.spec().imageId()));
    String repo = ctx.request().getParam("repo", "");
    String tag = ctx.request().getParam("tag", "");
    ImageReference target =
        repo.isEmpty() ? null : ImageReference.parse(repo + (tag.isEmpty() ? "" : ":" + tag));
    ImageCommit.Request req =
        new ImageCommit.Request(
            ctx.queryParam("changes").stream()
                .flatMap(c -> c.lines())
                .filter(c -> !c.isBlank())
                .toList(),
            ctx.request().getParam("comment", ""),
            ctx.request().getParam("author", ""),
            Http.jsonObject(ctx, "container.Config", false));
    boolean pause =
        !"0".equals(ctx.request().getParam("pause"))
            && !"false".equals(ctx.request().getParam("pause"));
    return containers
        .commitLayer(r, pause)
        .compose(
            layer ->
                vertx.executeBlocking(
                    () -> {
                      ImageRecord img = commits.commit(parent, r.spec(), layer, req);
                      if (target != null) {
                        images.tag(account, img, target);
                      }
                      return img;
                    },
                    false))
        .map(
            img -> {
              containers.event("commit", r, Map.of("comment", req.comment()));
              return Map.<String, Object>of("Id", img.id());
            });
  }
}
