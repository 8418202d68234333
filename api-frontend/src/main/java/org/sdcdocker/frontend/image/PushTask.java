package org.sdcdocker.frontend.image;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.http.HttpClient;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.sdcdocker.protocol.Json;
import org.sdcdocker.protocol.agent.LayerRef;

/**
 * One {@code docker push} of one tag: each layer that the repository lacks is mounted from another
 * repository of the same registry that has it, or uploaded; then the config, then the manifest
 * (Docker's v2 schema 2, or OCI when the layers are OCI's). Docker's progress messages; the image
 * gets the pushed digest among its RepoDigests. Blocking: runs on a worker thread.
 */
public final class PushTask {
  static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
  static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";

  private final ImageStore store;
  private final String account;
  private final ImageRecord image;
  private final ImageReference ref;
  private final RegistrySession session;

  public PushTask(
      HttpClient http,
      ImageStore store,
      String account,
      ImageRecord image,
      ImageReference ref,
      RegistryAuth auth) {
    this.store = store;
    this.account = account;
    this.image = image;
    this.ref = ref;
    this.session = new RegistrySession(http, ref, auth);
    session.forPush();
  }

  /** Pushes; progress to {@code out}; the manifest's digest. */
  public String run(Consumer<ObjectNode> out) throws IOException {
    List<LayerRef> layers = image.layers();
    for (LayerRef l : layers) {
      out.accept(PullTask.status("Preparing", PullTask.shortId(l.digest())));
    }
    for (LayerRef l : layers) {
      String id = PullTask.shortId(l.digest());
      if (session.hasBlob(l.digest())) {
        out.accept(PullTask.status("Layer already exists", id));
        continue;
      }
      String from = mountSource(l.digest());
      if (from != null && session.mountBlob(l.digest(), from)) {
        out.accept(PullTask.status("Mounted from " + from, id));
        continue;
      }
      out.accept(PullTask.progress("Pushing", id, 0, l.size()));
      session.uploadBlob(
          l.digest(),
          store.blobs().path(l.digest()),
          PullTask.reporter("Pushing", id, l.size(), out));
      out.accept(PullTask.status("Pushed", id));
    }
    byte[] config = store.blobs().read(image.id());
    if (!session.hasBlob(image.id())) {
      session.uploadBlob(image.id(), store.blobs().path(image.id()), n -> {});
    }
    boolean oci = layers.stream().anyMatch(l -> l.mediaType().startsWith("application/vnd.oci."));
    byte[] manifest = manifest(config.length, oci);
    String digest = session.putManifest(ref.tag(), oci ? OCI_MANIFEST : DOCKER_MANIFEST, manifest);
    out.accept(
        Json.MAPPER
            .createObjectNode()
            .put("status", ref.tag() + ": digest: " + digest + " size: " + manifest.length));
    ObjectNode aux = Json.MAPPER.createObjectNode();
    aux.putObject("progressDetail");
    aux.putObject("aux").put("Tag", ref.tag()).put("Digest", digest).put("Size", manifest.length);
    out.accept(aux);
    List<String> digests = new ArrayList<>(image.repoDigests());
    digests.add(ref.familiarName() + "@" + digest);
    store.add(
        account,
        new ImageRecord(
            image.id(), image.layers(), digests, image.size(), image.created(), image.parent()),
        null);
    return digest;
  }

  /**
   * Another repository of the same registry known to hold the layer: one an image with that layer
   * was pulled from or pushed to. The blob is mounted from there rather than uploaded.
   */
  private String mountSource(String layer) {
    for (ImageRecord img : store.all()) {
      if (img.layers().stream().noneMatch(l -> l.digest().equals(layer))) {
        continue;
      }
      for (String d : img.repoDigests()) {
        ImageReference other;
        try {
          other = ImageReference.parse(d.substring(0, d.indexOf('@')));
        } catch (RuntimeException e) {
          continue;
        }
        if (other.registry().equals(ref.registry())
            && !other.repository().equals(ref.repository())) {
          return other.repository();
        }
      }
    }
    return null;
  }

  private byte[] manifest(int configSize, boolean oci) {
    ObjectNode m = Json.MAPPER.createObjectNode();
    m.put("schemaVersion", 2);
    m.put("mediaType", oci ? OCI_MANIFEST : DOCKER_MANIFEST);
    m.putObject("config")
        .put(
            "mediaType",
            oci
                ? "application/vnd.oci.image.config.v1+json"
                : "application/vnd.docker.container.image.v1+json")
        .put("size", configSize)
        .put("digest", image.id());
    ArrayNode ls = m.putArray("layers");
    for (LayerRef l : image.layers()) {
      String type = l.mediaType();
      if (oci && type.equals(ImageCommit.GZIP_LAYER)) {
        type = "application/vnd.oci.image.layer.v1.tar+gzip";
      }
      ls.addObject().put("mediaType", type).put("size", l.size()).put("digest", l.digest());
    }
    return Json.bytes(m);
  }
}
