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
   * Unpacks the context, runs every step and returns the final image (untagged); the context's
   * scratch copy is removed whatever happens. Blocking.
   */
  public ImageRecord build(String account, InputStream contextTar, BuildOptions opts, Map<String, RegistryAuth> auths,
      Consumer<ObjectNode> out) throws IOException {
    Path dir = Files.createTempDirectory(images.scratch(), "build-");
    try (BuildContext ctx = BuildContext.unpack(contextTar, dir)) {
      String dockerfile = ctx.dockerfile(opts.dockerfile());
      BuildHost host = new ClusterBuildHost(containers, images, http, account, auths);
      return new Builder(host, images, account, opts, ctx, out).build(dockerfile);
    }
  }
}
