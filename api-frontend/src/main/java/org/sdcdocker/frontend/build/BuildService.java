package org.sdcdocker.frontend.build;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;
import org.sdcdocker.frontend.cluster.ContainerBackend;
import org.sdcdocker.frontend.image.ImageRecord;
import org.sdcdocker.frontend.image.ImageStore;
import org.sdcdocker.frontend.image.RegistryAuth;

/** docker build (the classic builder) for the build endpoint: a context tar in, an image out. */
public final class BuildService {
  private final ContainerBackend containers;
  private final ImageStore images;
  private final HttpClient http;

  public BuildService(ContainerBackend containers, ImageStore images, HttpClient http) {
    this.containers = containers;
    this.images = images;
    this.http = http;
  }

  /**
   * docker build URL: the context fetched from an http(s) URL into {@code file}; a tar (plain or
   * compressed) is the context, anything else is taken as the Dockerfile alone, as Docker's.
   * Git repositories are refused (no git here). Blocking.
   */
  public void fetchRemote(String url, String dockerfileName, Path file) throws IOException {
    if (url.startsWith("git@") || url.startsWith("git://") || url.endsWith(".git") || url.contains(".git#")
        || url.startsWith("github.com/")) {
      throw org.sdcdocker.protocol.DockerException.invalid("git repositories as build contexts are not supported "
          + "here: %s", url);
    }
    if (!url.startsWith("http://") && !url.startsWith("https://")) {
      throw org.sdcdocker.protocol.DockerException.invalid("unable to prepare context: remote context must be an "
          + "http(s) URL: %s", url);
    }
    java.net.http.HttpResponse<Path> r;
    Path raw = file.resolveSibling(file.getFileName() + ".remote");
    try {
      r = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url))
          .timeout(java.time.Duration.ofMinutes(10)).build(), java.net.http.HttpResponse.BodyHandlers.ofFile(raw));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw org.sdcdocker.protocol.DockerException.internal("interrupted");
    } catch (IOException e) {
      Files.deleteIfExists(raw);
      throw org.sdcdocker.protocol.DockerException.invalid("unable to prepare context: unable to download remote "
          + "context %s: %s", url, e.getMessage());
    }
    try {
      if (r.statusCode() / 100 != 2) {
        throw org.sdcdocker.protocol.DockerException.invalid("unable to prepare context: unable to download remote "
            + "context %s: %d", url, r.statusCode());
      }
      if (Archives.isTar(raw)) {
        Files.move(raw, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        return;
      }
      try (TarWriter w = new TarWriter(Files.newOutputStream(file))) {
        w.entry(dockerfileName, 'f', 0644, 0, 0, java.nio.file.attribute.FileTime.fromMillis(0), null, raw);
      }
    } finally {
      Files.deleteIfExists(raw);
    }
  }

  /**
   * Unpacks the context, runs every step and returns the final image (untagged); the context's
   * scratch copy is removed whatever happens. Blocking; containers are asked for on {@code loop}.
   */
  public ImageRecord build(String account, InputStream contextTar, BuildOptions opts, Map<String, RegistryAuth> auths,
      Consumer<ObjectNode> out, io.vertx.core.Context loop, BuildCancel cancel) throws IOException {
    Path dir = Files.createTempDirectory(images.scratch(), "build-");
    try (BuildContext ctx = BuildContext.unpack(contextTar, dir)) {
      String dockerfile = ctx.dockerfile(opts.dockerfile());
      BuildHost host = new ClusterBuildHost(containers, images, http, account, auths, loop);
      return new Builder(host, images, account, opts, ctx, out, cancel).build(dockerfile);
    }
  }
}
