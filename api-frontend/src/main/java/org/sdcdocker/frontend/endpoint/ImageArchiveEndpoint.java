package org.sdcdocker.frontend.endpoint;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.sdcdocker.frontend.cluster.EventLog;
import org.sdcdocker.frontend.http.Http;
import org.sdcdocker.frontend.image.ImageArchive;
import org.sdcdocker.frontend.image.ImageRecord;
import org.sdcdocker.frontend.image.ImageReference;
import org.sdcdocker.frontend.image.ImageStore;
import org.sdcdocker.protocol.DockerException;
import org.sdcdocker.protocol.ErrorKind;
import org.sdcdocker.protocol.Json;
import org.sdcdocker.protocol.agent.FrontendEvents.DockerEvent;

/**
 * {@code docker save} ({@code GET /images/get}) and {@code docker load} ({@code POST
 * /images/load}).
 */
public final class ImageArchiveEndpoint {
  private final Vertx vertx;
  private final ImageStore images;
  private final ImageArchive archive;
  private final Path scratch;
  private final EventLog events;

  public ImageArchiveEndpoint(
      Vertx vertx, ImageStore images, ImageArchive archive, Path scratch, EventLog events) {
    this.vertx = vertx;
    this.images = images;
    this.archive = archive;
    this.scratch = scratch;
    this.events = events;
  }

  /** The routes, as a table. */
  public void mount(Router r) {
    Http.route(r, HttpMethod.GET, "/images/get").handler(ctx -> save(ctx, ctx.queryParam("names")));
    Http.route(r, HttpMethod.GET, "/images/(?<name>.+)/get")
        .handler(ctx -> save(ctx, List.of(ctx.pathParam("name"))));
    Http.route(r, HttpMethod.POST, "/images/load").handler(this::load);
  }

  /**
   * The archive is written to a scratch file first, so a failure is an error status, not half a
   * tar.
   */
  private void save(RoutingContext ctx, List<String> names) {
    String account = Accounts.of(ctx);
    vertx
        .executeBlocking(
            () -> {
              Map<ImageRecord, List<String>> selected = new LinkedHashMap<>();
              for (String n : names) {
                ImageRecord img =
                    images
                        .find(account, n)
                        .orElseThrow(() -> DockerException.notFound("No such image: %s", n));
                List<String> tags = new ArrayList<>(selected.getOrDefault(img, List.of()));
                if (!n.matches("(sha256:)?[0-9a-f]{4,64}")) {
                  ImageReference ref = ImageReference.parse(n);
                  tags.add(ref.familiarName() + ":" + ref.tag());
                }
                selected.put(img, tags);
              }
              Path tmp = Files.createTempFile(scratch, "save", ".tar");
              try (var out = Files.newOutputStream(tmp)) {
                archive.save(selected, out);
              } catch (RuntimeException | IOException e) {
                Files.deleteIfExists(tmp);
                throw e;
              }
              selected.forEach(
                  (img, tags) ->
                      events.add(
                          new DockerEvent(
                              account,
                              "image",
                              "save",
                              img.id(),
                              Map.of("name", tags.isEmpty() ? img.id() : tags.get(0)),
                              EventLog.now())));
              return tmp;
            },
            false)
        .onFailure(ctx::fail)
        .onSuccess(
            tmp -> {
              ctx.response().putHeader("Content-Type", "application/x-tar");
              ctx.response()
                  .sendFile(tmp.toString())
                  .onComplete(ar -> vertx.executeBlocking(() -> Files.deleteIfExists(tmp), false));
            });
  }

  /**
   * The body goes to a scratch file, is checked whole, then stored; Docker's JSON lines say what
   * was loaded.
   */
  private void load(RoutingContext ctx) {
    String account = Accounts.of(ctx);
    Path tmp = scratch.resolve("load-" + UUID.randomUUID() + ".tar");
    ctx.request().pause();
    vertx
        .fileSystem()
        .open(tmp.toString(), new OpenOptions().setCreate(true).setWrite(true))
        .compose(file -> ctx.request().pipeTo(file))
        .compose(v -> vertx.executeBlocking(() -> archive.load(account, tmp), false))
        .onComplete(ar -> vertx.executeBlocking(() -> Files.deleteIfExists(tmp), false))
        .onFailure(
            e -> {
              if (Http.kindOf(e) == ErrorKind.INVALID_PARAMETER && !ctx.response().headWritten()) {
                // as Docker's: the archive's fault is the load's JSON stream's error (clients raise
                // it as such)
                var resp =
                    ctx.response()
                        .setStatusCode(200)
                        .setChunked(true)
                        .putHeader("Content-Type", "application/json");
                Http.streamError(resp, e);
                resp.end();
              } else {
                ctx.fail(e);
              }
            })
        .onSuccess(
            lines -> {
              Buffer out = Buffer.buffer();
              for (String l : lines) {
                out.appendBytes(Json.bytes(Map.of("stream", l + "\n"))).appendString("\r\n");
                events.add(
                    new DockerEvent(
                        account,
                        "image",
                        "load",
                        l.substring(l.lastIndexOf(' ') + 1),
                        Map.of("name", l.substring(l.lastIndexOf(' ') + 1)),
                        EventLog.now()));
              }
              ctx.response().putHeader("Content-Type", "application/json").end(out);
            });
  }
}
