package org.sdcdocker.frontend.builder;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Context;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;
import org.sdcdocker.bus.Tls;
import org.sdcdocker.frontend.cluster.Containers;
import org.sdcdocker.frontend.image.ImageCommit;
import org.sdcdocker.frontend.image.ImageRecord;
import org.sdcdocker.frontend.image.ImageStore;
import org.sdcdocker.frontend.image.RegistryAuth;
import org.sdcdocker.frontend.translate.CreateTranslator;
import org.sdcdocker.protocol.DockerException;

/** docker build (the classic builder) for the build endpoint: a context tar in, an image out. */
public final class BuildService {
  private final Containers containers;
  private final CreateTranslator translator;
  private final ImageStore images;
  private final HttpClient http;
  private final ImageCommit commits;

  /** {@code tls}: in a fleet, the steps' layers come from the agents over TLS (null: plain). */
  public BuildService(
      Containers containers,
      CreateTranslator translator,
      ImageStore images,
      HttpClient http,
      Tls tls) {
    this.commits = new ImageCommit(images, tls);
    this.containers = containers;
    this.translator = translator;
    this.images = images;
    this.http = http;
  }

  /**
   * docker build URL: the context fetched from an http(s) URL into {@code file}; a tar (plain or
   * compressed) is the context, anything else is taken as the Dockerfile alone, as Docker's. Git
   * repositories are refused (no git here). Blocking.
   */
  public void fetchRemote(String url, String dockerfileName, Path file) throws IOException {
    if (url.startsWith("git@")
        || url.startsWith("git://")
        || url.endsWith(".git")
        || url.contains(".git#")
        || url.startsWith("github.com/")) {
      throw DockerException.invalid(
          "git repositories as build contexts are not supported " + "here: %s", url);
    }
    if (!url.startsWith("http://") && !url.startsWith("https://")) {
      throw DockerException.invalid(
          "unable to prepare context: remote context must be an " + "http(s) URL: %s", url);
    }
    HttpResponse<Path> r;
    Path raw = file.resolveSibling(file.getFileName() + ".remote");
    try {
      r =
          http.send(
              HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(10)).build(),
              HttpResponse.BodyHandlers.ofFile(raw));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw DockerException.internal("interrupted");
    } catch (IOException e) {
      Files.deleteIfExists(raw);
      throw DockerException.invalid(
          "unable to prepare context: unable to download remote " + "context %s: %s",
          url, e.getMessage());
    }
    try {
      if (r.statusCode() / 100 != 2) {
        throw DockerException.invalid(
            "unable to prepare context: unable to download remote " + "context %s: %d",
            url, r.statusCode());
      }
      if (Archives.isTar(raw)) {
        Files.move(raw, file, StandardCopyOption.REPLACE_EXISTING);
        return;
      }
      try (TarWriter w = new TarWriter(Files.newOutputStream(file))) {
        w.entry(dockerfileName, 'f', 0644, 0, 0, FileTime.fromMillis(0), null, raw);
      }
    } finally {
      Files.deleteIfExists(raw);
    }
  }

  /**
   * Unpacks the context, runs every step and returns the final image (untagged); the context's
   * scratch copy is removed whatever happens. Blocking; containers are asked for on {@code loop}.
   */
  public ImageRecord build(
      String account,
      InputStream contextTar,
      BuildOptions opts,
      Map<String, RegistryAuth> auths,
      Consumer<ObjectNode> out,
      Context loop,
      BuildCancel cancel)
      throws IOException {
    Path dir = Files.createTempDirectory(images.scratch(), "build-");
    try (BuildContext ctx = BuildContext.unpack(contextTar, dir)) {
      String dockerfile = ctx.dockerfile(opts.dockerfile());
      BuildHost host =
          new ClusterBuildHost(containers, translator, images, commits, http, account, auths, loop);
      return new Builder(host, images, account, opts, ctx, out, cancel).build(dockerfile);
    }
  }
}
