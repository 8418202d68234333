package org.sdcdocker.frontend.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.sdcdocker.bus.Tls;
import org.sdcdocker.protocol.DockerException;
import org.sdcdocker.protocol.Json;
import org.sdcdocker.protocol.agent.AgentRequests.CommitResult;
import org.sdcdocker.protocol.agent.ContainerSpec;
import org.sdcdocker.protocol.agent.LayerRef;

/**
 * docker commit in the image service: the container's layer (made by its agent) fetched and
 * verified into the blob store, and a new config: the image's, with the container's settings, the
 * {@code -c} changes, a history entry and the new diff id.
 */
public final class ImageCommit {
  static final String GZIP_LAYER = "application/vnd.docker.image.rootfs.diff.tar.gzip";

  private final ImageStore images;
  private final HttpClient http;

  /** {@code tls}: in a fleet, the layer comes from the agent's data plane over TLS. */
  public ImageCommit(ImageStore images, Tls tls) {
    this.http =
        tls == null
            ? HttpClient.newHttpClient()
            : HttpClient.newBuilder().sslContext(tls.sslContext()).build();
    this.images = images;
  }

  /** The client of the agents' data plane (their certificate's CA trusted in a fleet). */
  public HttpClient dataPlane() {
    return http;
  }

  /** What docker commit asks for besides the container. */
  public record Request(List<String> changes, String comment, String author, JsonNode config) {
    public Request(List<String> changes, String comment, String author) {
      this(changes, comment, author, null);
    }
  }

  /** Stores the layer and the new image; returns the image (tag it separately). Blocking. */
  public ImageRecord commit(ImageRecord parent, ContainerSpec spec, CommitResult layer, Request req)
      throws IOException, InterruptedException {
    ObjectNode cfg = ((ObjectNode) images.config(parent)).deepCopy();
    ObjectNode config =
        cfg.has("config") && cfg.get("config").isObject()
            ? (ObjectNode) cfg.get("config")
            : cfg.putObject("config");
    config.set("Env", strings(spec.env()));
    config.set("Cmd", spec.cmd().isEmpty() ? null : strings(spec.cmd()));
    config.set("Entrypoint", spec.entrypoint().isEmpty() ? null : strings(spec.entrypoint()));
    config.put("WorkingDir", spec.workingDir() == null ? "" : spec.workingDir());
    config.put("User", spec.user() == null ? "" : spec.user());
    config.set("Labels", Json.MAPPER.valueToTree(spec.labels()));
    if (!spec.network().exposed().isEmpty()) {
      ObjectNode ports = config.putObject("ExposedPorts");
      spec.network().exposed().forEach(p -> ports.putObject(p));
    }
    if (req.config() != null && req.config().isObject()) {
      mergeUserConfig(config, req.config());
    }
    for (String change : req.changes()) {
      CommitChanges.apply(config, change);
    }
    String now = Instant.now().toString();
    cfg.put("created", now);
    cfg.put("container", spec.id());
    if (req.author() != null && !req.author().isEmpty()) {
      cfg.put("author", req.author());
    }
    if (req.comment() != null && !req.comment().isEmpty()) {
      cfg.put("comment", req.comment());
    }
    ArrayNode history =
        cfg.has("history") && cfg.get("history").isArray()
            ? (ArrayNode) cfg.get("history")
            : cfg.putArray("history");
    ObjectNode h = history.addObject().put("created", now);
    List<String> argv = new ArrayList<>(spec.entrypoint());
    argv.addAll(spec.cmd());
    h.put("created_by", String.join(" ", argv));
    if (req.author() != null && !req.author().isEmpty()) {
      h.put("author", req.author());
    }
    if (req.comment() != null && !req.comment().isEmpty()) {
      h.put("comment", req.comment());
    }
    ObjectNode rootfs =
        cfg.has("rootfs") && cfg.get("rootfs").isObject()
            ? (ObjectNode) cfg.get("rootfs")
            : cfg.putObject("rootfs").put("type", "layers");
    ArrayNode diffIds =
        rootfs.has("diff_ids") ? (ArrayNode) rootfs.get("diff_ids") : rootfs.putArray("diff_ids");
    diffIds.add(layer.diffId());
    storeLayer(layer);
    List<LayerRef> layers = new ArrayList<>(parent.layers());
    layers.add(new LayerRef(layer.digest(), GZIP_LAYER, layer.size()));
    ImageRecord img =
        images.addMade(spec.owner(), cfg, layers, parent.size() + layer.size(), now, parent.id());
    return img;
  }

  /** The layer from its agent, into the blob store; its digest is checked on the way. */
  public void storeLayer(CommitResult layer) throws IOException, InterruptedException {
    HttpResponse<InputStream> resp =
        http.send(
            HttpRequest.newBuilder(URI.create(layer.url())).timeout(Duration.ofSeconds(60)).build(),
            HttpResponse.BodyHandlers.ofInputStream());
    try (InputStream in = resp.body()) {
      if (resp.statusCode() == 404) {
        throw DockerException.notFound("the container was removed while it was committed");
      }
      if (resp.statusCode() != 200) {
        throw DockerException.internal(
            "fetching the committed layer: the agent answered %d", resp.statusCode());
      }
      if (images.blobs().has(layer.digest())) {
        in.transferTo(OutputStream.nullOutputStream());
        return;
      }
      try (BlobStore.Sink sink = images.blobs().open(layer.digest())) {
        sink.copy(in, n -> {});
        sink.commit();
      }
    }
  }

  private static ArrayNode strings(List<String> l) {
    ArrayNode a = Json.MAPPER.createArrayNode();
    l.forEach(a::add);
    return a;
  }

  /**
   * The commit body's config over the container's, as Docker merges them: its Env first, then the
   * container's variables it does not set; its Cmd, Entrypoint, User, WorkingDir when given; its
   * labels and exposed ports added.
   */
  static void mergeUserConfig(ObjectNode config, JsonNode user) {
    JsonNode env = user.get("Env");
    if (env != null && env.isArray() && env.size() > 0) {
      List<String> merged = new ArrayList<>();
      Set<String> keys = new HashSet<>();
      for (JsonNode e : env) {
        merged.add(e.asText());
        keys.add(e.asText().split("=", 2)[0]);
      }
      for (JsonNode e : config.path("Env")) {
        if (!keys.contains(e.asText().split("=", 2)[0])) {
          merged.add(e.asText());
        }
      }
      config.set("Env", strings(merged));
    }
    boolean entrypoint = user.path("Entrypoint").isArray() && user.path("Entrypoint").size() > 0;
    if (entrypoint) {
      config.set("Entrypoint", user.get("Entrypoint"));
    }
    if (user.path("Cmd").isArray() && user.path("Cmd").size() > 0) {
      config.set("Cmd", user.get("Cmd"));
    } else if (entrypoint) {
      config.set("Cmd", null); // a new entrypoint does not keep the old command, as Docker's
    }
    for (String f : List.of("User", "WorkingDir", "StopSignal")) {
      if (!user.path(f).asText("").isEmpty()) {
        config.put(f, user.path(f).asText());
      }
    }
    if (user.path("Labels").isObject()) {
      ObjectNode labels =
          config.path("Labels").isObject()
              ? (ObjectNode) config.get("Labels")
              : config.putObject("Labels");
      user.get("Labels").fields().forEachRemaining(e -> labels.set(e.getKey(), e.getValue()));
    }
    if (user.path("ExposedPorts").isObject()) {
      ObjectNode ports =
          config.path("ExposedPorts").isObject()
              ? (ObjectNode) config.get("ExposedPorts")
              : config.putObject("ExposedPorts");
      user.get("ExposedPorts").fieldNames().forEachRemaining(p -> ports.putObject(p));
    }
  }
}
