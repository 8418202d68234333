package org.sdcdocker.frontend.builder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.sdcdocker.frontend.cluster.Containers;
import org.sdcdocker.frontend.image.ImageCommit;
import org.sdcdocker.frontend.image.ImageRecord;
import org.sdcdocker.frontend.image.ImageReference;
import org.sdcdocker.frontend.image.ImageStore;
import org.sdcdocker.frontend.image.PullTask;
import org.sdcdocker.frontend.image.RegistryAuth;
import org.sdcdocker.frontend.translate.CreateBody;
import org.sdcdocker.frontend.translate.CreateTranslator;
import org.sdcdocker.frontend.translate.Creation;
import org.sdcdocker.frontend.translate.SentConfig;
import org.sdcdocker.protocol.DockerException;
import org.sdcdocker.protocol.ErrorKind;
import org.sdcdocker.protocol.agent.AgentRequests.CommitResult;
import org.sdcdocker.protocol.agent.AgentRequests.PathStat;
import org.sdcdocker.protocol.agent.ZoneRecord;

/**
 * The build host of this cluster: the container backend, the image store and the registry client.
 */
final class ClusterBuildHost implements BuildHost {
  private final Containers containers;
  private final CreateTranslator translator;
  private final ImageStore images;
  private final ImageCommit commits;
  private final HttpClient http;
  private final String account;
  private final Map<String, RegistryAuth> auths;
  private final Context loop;

  /**
   * {@code loop}: the front end's event loop, where the container backend is used (its index is not
   * shared).
   */
  ClusterBuildHost(
      Containers containers,
      CreateTranslator translator,
      ImageStore images,
      ImageCommit commits,
      HttpClient http,
      String account,
      Map<String, RegistryAuth> auths,
      Context loop) {
    this.containers = containers;
    this.translator = translator;
    this.images = images;
    this.commits = commits;
    this.http = http;
    this.account = account;
    this.auths = auths;
    this.loop = loop;
  }

  /** Runs a backend call on the event loop and waits for its result on this worker thread. */
  private <T> T call(Supplier<Future<T>> op, long seconds) {
    Promise<T> p = Promise.promise();
    loop.runOnContext(
        v -> {
          try {
            op.get().onComplete(p);
          } catch (RuntimeException e) {
            p.fail(e);
          }
        });
    return await(p.future(), seconds);
  }

  /** A future's value, waited for on this worker thread. */
  static <T> T await(Future<T> f, long seconds) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(seconds, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw DockerException.of(e.getCause());
    } catch (TimeoutException e) {
      throw DockerException.internal("timed out waiting for a compute node");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw DockerException.internal("interrupted");
    }
  }

  @Override
  public ImageRecord image(String ref, Consumer<ObjectNode> out) throws IOException {
    var found = images.find(account, ref);
    if (found.isPresent()) {
      return found.get();
    }
    ImageReference r = ImageReference.parse(ref);
    RegistryAuth auth =
        auths.getOrDefault(
            r.registry(), auths.getOrDefault("https://" + r.registry(), RegistryAuth.NONE));
    PullTask task = new PullTask(http, images, account, r, auth);
    task.resolve();
    task.run(out);
    return images
        .find(account, ref)
        .orElseThrow(() -> DockerException.notFound("No such image: %s", ref));
  }

  @Override
  public ZoneRecord create(JsonNode body, boolean imageVolumes) {
    Creation c =
        translator.creation(
            account,
            CreateBody.decode(body),
            SentConfig.NONE,
            null,
            imageVolumes,
            null); // on this worker thread
    return call(() -> containers.create(account, c), 300);
  }

  @Override
  public InputStream startAndFollow(ZoneRecord r) throws IOException {
    call(() -> containers.start(account, r.spec().id()), 300);
    String url = call(() -> containers.streamTicket(r, "logs", "follow=1&stdout=1&stderr=1"), 60);
    return get(url);
  }

  @Override
  public ZoneRecord waitExit(ZoneRecord r) {
    return call(() -> containers.waitFor(account, r.spec().id(), "not-running"), 24 * 3600);
  }

  @Override
  public PathStat stat(ZoneRecord r, String path) {
    try {
      return call(() -> containers.statPath(r, path), 60);
    } catch (DockerException e) {
      if (e.kind() == ErrorKind.NOT_FOUND) {
        return null;
      }
      throw e;
    }
  }

  @Override
  public InputStream archive(ZoneRecord r, String path) throws IOException {
    String url =
        call(
            () ->
                containers.streamTicket(
                    r, "archive", "path=" + URLEncoder.encode(path, StandardCharsets.UTF_8)),
            60);
    return get(url);
  }

  @Override
  public void extract(ZoneRecord r, Path tar) throws IOException {
    String url = call(() -> containers.streamTicket(r, "extract", "path=%2F&copyUIDGID=1"), 60);
    HttpResponse<String> resp =
        send(
            HttpRequest.newBuilder(URI.create(url))
                .PUT(HttpRequest.BodyPublishers.ofFile(tar))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (resp.statusCode() != 200) {
      throw DockerException.internal("copying files into the build container: %s", resp.body());
    }
  }

  @Override
  public CommitResult commit(ZoneRecord r) throws IOException {
    CommitResult layer = call(() -> containers.commitLayer(r, false), 3600);
    try {
      commits.storeLayer(layer);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw DockerException.internal("interrupted");
    }
    return layer;
  }

  @Override
  public void kill(ZoneRecord r) {
    loop.runOnContext(
        v -> containers.kill(account, r.spec().id(), 9)); // not waited for: the step sees its end
  }

  @Override
  public void remove(ZoneRecord r) {
    call(() -> containers.remove(account, r.spec().id(), true, true), 120);
  }

  private InputStream get(String url) throws IOException {
    HttpResponse<InputStream> resp =
        send(
            HttpRequest.newBuilder(URI.create(url)).build(),
            HttpResponse.BodyHandlers.ofInputStream());
    if (resp.statusCode() != 200) {
      resp.body().close();
      throw DockerException.internal("the compute node answered %d", resp.statusCode());
    }
    return resp.body();
  }

  /** A request to the data plane of a container's node (over TLS in a fleet). */
  private <T> HttpResponse<T> send(HttpRequest req, HttpResponse.BodyHandler<T> handler)
      throws IOException {
    try {
      return commits.dataPlane().send(req, handler);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw DockerException.internal("interrupted");
    }
  }
}
