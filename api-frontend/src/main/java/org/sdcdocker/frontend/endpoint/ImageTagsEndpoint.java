package org.sdcdocker.frontend.endpoint;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.sdcdocker.frontend.cluster.Containers;
import org.sdcdocker.frontend.cluster.EventLog;
import org.sdcdocker.frontend.http.Http;
import org.sdcdocker.frontend.image.ImageRecord;
import org.sdcdocker.frontend.image.ImageReference;
import org.sdcdocker.frontend.image.ImageStore;
import org.sdcdocker.protocol.ContainerId;
import org.sdcdocker.protocol.DockerException;
import org.sdcdocker.protocol.agent.FrontendEvents.DockerEvent;
import org.sdcdocker.protocol.agent.ZoneRecord;

/**
 * {@code docker tag}, {@code rmi}, {@code history} and {@code image prune}, with Docker's conflict
 * rules.
 */
public final class ImageTagsEndpoint {
  private final Vertx vertx;
  private final ImageStore images;
  private final Containers containers;
  private final EventLog events;

  public ImageTagsEndpoint(Vertx vertx, ImageStore images, Containers containers, EventLog events) {
    this.vertx = vertx;
    this.images = images;
    this.containers = containers;
    this.events = events;
  }

  /** The routes, as a table. */
  public void mount(Router r) {
    Http.route(r, HttpMethod.POST, "/images/prune").handler(Http.json(200, this::postImagesPrune));
    Http.route(r, HttpMethod.POST, "/images/(?<name>.+)/tag")
        .handler(Http.empty(201, this::postTag));
    Http.route(r, HttpMethod.GET, "/images/(?<name>.+)/history")
        .handler(Http.json(200, this::getHistory));
    Http.route(r, HttpMethod.DELETE, "/images/(?<name>.+)")
        .handler(Http.json(200, this::deleteImage));
  }

  private ImageRecord find(String account, String name) {
    return images
        .find(account, name)
        .orElseThrow(() -> DockerException.notFound("No such image: %s", name));
  }

  private Future<Void> postTag(RoutingContext ctx) {
    String account = Accounts.of(ctx);
    ImageRecord img = find(account, ctx.pathParam("name"));
    String repo = ctx.request().getParam("repo");
    String tag = ctx.request().getParam("tag");
    if (repo == null || repo.isEmpty()) {
      throw DockerException.invalid("invalid reference format: a tag needs a repository");
    }
    ImageReference ref =
        ImageReference.parse(repo + (tag == null || tag.isEmpty() ? "" : ":" + tag));
    if (ref.digest() != null) {
      throw DockerException.invalid("refusing to create a tag with a digest reference");
    }
    return vertx.executeBlocking(
        () -> {
          images.tag(account, img, ref);
          events.add(
              new DockerEvent(
                  account,
                  "image",
                  "tag",
                  img.id(),
                  Map.of("name", ref.familiarName() + ":" + ref.tag()),
                  EventLog.now()));
          return null;
        },
        false);
  }

  private Future<List<Map<String, String>>> deleteImage(RoutingContext ctx) {
    String account = Accounts.of(ctx);
    String name = ctx.pathParam("name");
    boolean force = Http.flag(ctx, "force");
    boolean noPrune = Http.flag(ctx, "noprune");
    return vertx.executeBlocking(() -> remove(account, name, force, noPrune), false);
  }

  /**
   * Docker's rmi: untag a reference; delete an image no tag, no child image and no container holds
   * any more, then (unless noPrune) its untagged parents nothing else holds.
   */
  private synchronized List<Map<String, String>> remove(
      String account, String name, boolean force, boolean noPrune) throws IOException {
    ImageRecord img = find(account, name);
    String shortId = img.id().substring(7, 19);
    List<String> refs = images.tagsByImage(account).getOrDefault(img.id(), List.of());
    List<ZoneRecord> users = users(account, img.id());
    ZoneRecord running =
        users.stream()
            .filter(c -> c.state().running() || c.state().restarting())
            .findFirst()
            .orElse(null);
    boolean hasChildren = !images.children(account, img.id()).isEmpty();
    List<Map<String, String>> out = new ArrayList<>();
    String byRef = byReference(name, refs);
    if (byRef != null) {
      if (refs.size() == 1 && !users.isEmpty() && !force) {
        throw DockerException.conflict(
            "conflict: unable to remove repository reference \"%s\" (must force) - "
                + "container %s is using its referenced image %s",
            name, ContainerId.shortOf(users.get(0).spec().id()), shortId);
      }
      untag(account, img, byRef, out);
      if (refs.size() > 1 || !users.isEmpty() || hasChildren) {
        return out; // other references, a container or a child image keep the image
      }
    } else {
      if (running != null) {
        throw DockerException.conflict(
            "conflict: unable to delete %s (cannot be forced) - image is being used by "
                + "running container %s",
            shortId, ContainerId.shortOf(running.spec().id()));
      }
      if (hasChildren) {
        throw DockerException.conflict(
            "conflict: unable to delete %s (cannot be forced) - image has dependent "
                + "child images",
            shortId);
      }
      if (refs.size() > 1 && !force) {
        throw DockerException.conflict(
            "conflict: unable to delete %s (must be forced) - image is referenced in "
                + "multiple repositories",
            shortId);
      }
      if (!users.isEmpty() && !force) {
        throw DockerException.conflict(
            "conflict: unable to delete %s (must be forced) - image is being used by "
                + "stopped container %s",
            shortId, ContainerId.shortOf(users.get(0).spec().id()));
      }
      for (String r : refs) {
        untag(account, img, r, out);
      }
    }
    release(account, img, out);
    for (String p = img.parent(); p != null && !noPrune; ) {
      ImageRecord parent = images.find(account, p).orElse(null);
      if (parent == null
          || !images.owns(account, p)
          || images.tagsByImage(account).containsKey(p)
          || !images.children(account, p).isEmpty()
          || !users(account, p).isEmpty()) {
        break;
      }
      release(account, parent, out);
      p = parent.parent();
    }
    return out;
  }

  private List<ZoneRecord> users(String account, String imageId) {
    return containers.list(account).stream()
        .filter(c -> c.spec().imageId().equals(imageId))
        .toList();
  }

  /** The account gives the image up; it is deleted once no account has it. */
  private void release(String account, ImageRecord img, List<Map<String, String>> out)
      throws IOException {
    images.disown(account, img.id());
    out.add(Map.of("Deleted", img.id()));
    events.add(
        new DockerEvent(
            account, "image", "delete", img.id(), Map.of("name", img.id()), EventLog.now()));
    if (!images.held(img.id())) {
      images.delete(img);
    }
  }

  /** The account's tag a name means, when it names a reference rather than an id. */
  private static String byReference(String name, List<String> refs) {
    if (name.matches("(sha256:)?[0-9a-f]{4,64}")) {
      return null;
    }
    ImageReference ref = ImageReference.parse(name);
    String repoTag = ref.familiarName() + ":" + ref.tag();
    return refs.contains(repoTag) ? repoTag : null;
  }

  private void untag(String account, ImageRecord img, String repoTag, List<Map<String, String>> out)
      throws IOException {
    if (images.untag(account, repoTag)) {
      out.add(Map.of("Untagged", repoTag));
      events.add(
          new DockerEvent(
              account, "image", "untag", img.id(), Map.of("name", repoTag), EventLog.now()));
    }
  }

  /**
   * The image's history from its config, newest first, with the sizes of the layers that made it.
   */
  private Future<List<Map<String, Object>>> getHistory(RoutingContext ctx) {
    String account = Accounts.of(ctx);
    ImageRecord img = find(account, ctx.pathParam("name"));
    return vertx.executeBlocking(
        () -> {
          JsonNode cfg = images.config(img);
          List<Map<String, Object>> out = new ArrayList<>();
          int withLayers = 0;
          for (JsonNode h : cfg.path("history")) {
            withLayers += h.path("empty_layer").asBoolean(false) ? 0 : 1;
          }
          int layer =
              Math.max(
                  0,
                  img.layers().size() - withLayers); // layers older than the history has no entry
          for (JsonNode h : cfg.path("history")) {
            boolean empty = h.path("empty_layer").asBoolean(false);
            long size =
                empty || layer >= img.layers().size() ? 0 : img.layers().get(layer++).size();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("Id", "<missing>");
            m.put("Created", ImagesEndpoint.epochSeconds(h.path("created").asText("")));
            m.put("CreatedBy", h.path("created_by").asText(""));
            m.put("Tags", null);
            m.put("Size", size);
            m.put("Comment", h.path("comment").asText(""));
            out.add(0, m);
          }
          if (out.isEmpty()) {
            out.add(
                new LinkedHashMap<>(
                    Map.of(
                        "Id",
                        "<missing>",
                        "Created",
                        ImagesEndpoint.epochSeconds(img.created()),
                        "CreatedBy",
                        "",
                        "Size",
                        img.size(),
                        "Comment",
                        "")));
          }
          // the images it was made from here (a build's steps, a commit's base) give their ids, as
          // Docker's
          Map<String, List<String>> tags = images.tagsByImage(account);
          ImageRecord at = img;
          for (int k = 0; k < out.size() && at != null; k++) {
            if (k > 0 && images.config(at).path("history").size() != out.size() - k) {
              break;
            }
            out.get(k).put("Id", at.id());
            out.get(k).put("Tags", tags.getOrDefault(at.id(), List.of()));
            String parent = at.parent();
            at =
                parent != null && images.owns(account, parent)
                    ? images.find(account, parent).orElse(null)
                    : null;
          }
          return out;
        },
        false);
  }

  /** Prune's label (key, key=value, label!=...) and until filters. */
  private boolean matches(ImageRecord img, Map<String, List<String>> f) {
    JsonNode labels =
        f.containsKey("label") ? images.config(img).path("config").path("Labels") : null;
    for (String l : f.getOrDefault("label", List.of())) {
      boolean negate = l.contains("!=");
      String[] kv = l.split("!?=", 2);
      boolean has =
          labels.has(kv[0]) && (kv.length == 1 || labels.path(kv[0]).asText().equals(kv[1]));
      if (has == negate) {
        return false;
      }
    }
    for (String u : f.getOrDefault("until", List.of())) {
      long created = ImagesEndpoint.epochSeconds(img.created());
      if (!Instant.ofEpochSecond(created).isBefore(NetworkViews.instant(u))) {
        return false;
      }
    }
    return true;
  }

  /**
   * Removes the images no container of the account uses: those no account tags (dangling), and with
   * {@code dangling=false} the account's tagged ones too (docker image prune -a).
   */
  private Future<Map<String, Object>> postImagesPrune(RoutingContext ctx) {
    String account = Accounts.of(ctx);
    Map<String, List<String>> f =
        Filters.parse(ctx.request().getParam("filters"), Set.of("dangling", "label", "until"));
    boolean all =
        f.getOrDefault("dangling", List.of()).stream()
            .anyMatch(v -> v.equals("false") || v.equals("0"));
    return vertx.executeBlocking(
        () -> {
          List<Map<String, String>> deleted = new ArrayList<>();
          long reclaimed = 0;
          Set<String> used = new HashSet<>();
          containers.all().forEach(c -> used.add(c.spec().imageId()));
          for (int round = 0;
              round < 64;
              round++) { // a removed child can leave its parent dangling
            Map<String, List<String>> mine = images.tagsByImage(account);
            List<ImageRecord> gone = new ArrayList<>();
            Set<String> parents = images.parents(account);
            for (ImageRecord img : images.list(account)) {
              boolean childless = !parents.contains(img.id());
              boolean dangling = !mine.containsKey(img.id()) && childless;
              if (used.contains(img.id()) || !(dangling || all && childless) || !matches(img, f)) {
                continue;
              }
              for (String r : mine.getOrDefault(img.id(), List.of())) {
                untag(account, img, r, deleted);
              }
              release(account, img, deleted);
              reclaimed += img.size();
              gone.add(img);
            }
            if (gone.isEmpty()) {
              break;
            }
          }
          Map<String, Object> out = new LinkedHashMap<>();
          out.put("ImagesDeleted", deleted.isEmpty() ? null : deleted);
          out.put("SpaceReclaimed", reclaimed);
          return out;
        },
        false);
  }
}
