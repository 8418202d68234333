package org.sdcdocker.frontend.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import org.sdcdocker.bus.Daemons;
import org.sdcdocker.frontend.metrics.FrontendMetrics;
import org.sdcdocker.protocol.Digest;
import org.sdcdocker.protocol.DockerException;
import org.sdcdocker.protocol.Json;
import org.sdcdocker.protocol.agent.LayerRef;

/**
 * One {@code docker pull}: resolve the manifest (before any output, so a missing image is a plain
 * 404), then fetch the config and every missing layer, verifying each digest, and report Docker's
 * JSON progress messages. Blocking: runs on a worker thread.
 */
public final class PullTask {
  private final HttpClient http;
  private final ImageStore store;
  private final String account;
  private final ImageReference ref;
  private final RegistrySession session;

  /** Layers fetched at once by one pull, as Docker's default max-concurrent-downloads. */
  private static final int DOWNLOADS = 3;

  private Platform platform = Platform.host();
  private boolean platformGiven;
  private RegistrySession.Manifest top;
  private RegistrySession.Manifest image;

  public PullTask(
      HttpClient http, ImageStore store, String account, ImageReference ref, RegistryAuth auth) {
    this.http = http;
    this.store = store;
    this.account = account;
    this.ref = ref;
    this.session = new RegistrySession(http, ref, auth);
  }

  /** Pulls the image of another platform (docker pull --platform os/arch[/variant]). */
  public PullTask platform(String p) {
    if (p != null && !p.isBlank()) {
      platform = Platform.parse(p);
      platformGiven = true;
    }
    return this;
  }

  /** The reference this pull fetches. */
  public ImageReference reference() {
    return ref;
  }

  /** Every tag of the reference's repository (docker pull -a). */
  public static List<String> tags(HttpClient http, ImageReference ref, RegistryAuth auth) {
    return new RegistrySession(http, ref, auth).tags();
  }

  /** Fetches the manifest, choosing this platform's from a list or index. */
  public void resolve() {
    top = session.manifest(ref.reference());
    image = top;
    JsonNode json = top.json();
    if (json.has("manifests")) {
      String chosen = null;
      for (JsonNode m : json.get("manifests")) {
        if (m.path("platform").isObject()
            && platform.accepts(Platform.ofConfig(m.path("platform")))) {
          chosen = m.path("digest").asText();
          break;
        }
      }
      if (chosen == null) {
        throw DockerException.notFound(
            "no matching manifest for %s in the manifest list entries", platform);
      }
      image = session.manifest(chosen);
    } else if (json.path("schemaVersion").asInt() == 1) {
      throw DockerException.invalid("%s: schema 1 manifests are not supported", ref);
    }
    if (platformGiven
        && !json.has("manifests")) { // one image: it must be of the platform asked for
      String digest = image.json().path("config").path("digest").asText();
      try (InputStream in = session.blob(digest)) {
        byte[] cfg = in.readAllBytes();
        if (!Digest.of(cfg).toString().equals(digest)) {
          throw DockerException.internal("config verification failed for digest %s", digest);
        }
        JsonNode c = Json.MAPPER.readTree(cfg);
        Platform actual = Platform.ofConfig(c);
        if (!platform.accepts(actual)) {
          throw mismatch(ref.toString(), platform, actual);
        }
      } catch (IOException e) {
        throw DockerException.internal("reading the config of %s: %s", ref, e.getMessage());
      }
    }
  }

  /** Fetches what is missing and records the image; progress goes to {@code out}. */
  public void run(Consumer<ObjectNode> out) throws IOException {
    boolean ok = false;
    fetchedBytes = 0;
    try {
      pull(out);
      ok = true;
    } finally {
      FrontendMetrics.pull(ok, fetchedBytes);
    }
  }

  /** The bytes of the blobs the last run fetched (for the metrics). */
  private long fetchedBytes;

  private void pull(Consumer<ObjectNode> out) throws IOException {
    JsonNode m = image.json();
    out.accept(
        status("Pulling from " + ref.repository(), ref.tag() != null ? ref.tag() : ref.digest()));
    List<LayerRef> layers = new ArrayList<>();
    long size = 0;
    for (JsonNode l : m.path("layers")) {
      LayerRef layer =
          new LayerRef(
              l.path("digest").asText(), l.path("mediaType").asText(), l.path("size").asLong());
      layers.add(layer);
      size += layer.size();
    }
    boolean fetchedAny = false;
    for (LayerRef layer : layers) {
      String id = shortId(layer.digest());
      if (store.blobs().has(layer.digest())) {
        out.accept(status("Already exists", id));
        continue;
      }
      out.accept(status("Pulling fs layer", id));
    }
    List<LayerRef> missing =
        layers.stream().filter(l -> !store.blobs().has(l.digest())).distinct().toList();
    fetchAll(missing, out);
    fetchedAny = !missing.isEmpty();
    fetchedBytes = missing.stream().mapToLong(LayerRef::size).sum();
    String configDigest = m.path("config").path("digest").asText();
    if (!store.blobs().has(configDigest)) {
      try (InputStream in = session.blob(configDigest);
          BlobStore.Sink s = store.blobs().open(configDigest)) {
        s.copy(in, n -> {});
        s.commit();
      }
      fetchedAny = true;
    }
    boolean known =
        store.find(account, ref.toString()).map(i -> i.id().equals(configDigest)).orElse(false);
    JsonNode config = Json.MAPPER.readTree(store.blobs().read(configDigest));
    List<String> repoDigests = List.of(ref.familiarName() + "@" + top.digest());
    store.add(
        account,
        new ImageRecord(configDigest, layers, repoDigests, size, config.path("created").asText("")),
        ref);
    out.accept(status("Digest: " + top.digest(), null));
    out.accept(
        status(
            (fetchedAny || !known
                    ? "Status: Downloaded newer image for "
                    : "Status: Image is up to date for ")
                + ref,
            null));
  }

  /**
   * Fetches the layers, up to three at a time as Docker does (a layer another pull is fetching is
   * waited for instead). The first failure fails the pull once every fetch has stopped.
   */
  private void fetchAll(List<LayerRef> missing, Consumer<ObjectNode> out) throws IOException {
    if (missing.isEmpty()) {
      return;
    }
    ExecutorService pool =
        Executors.newFixedThreadPool(
            Math.min(DOWNLOADS, missing.size()), Daemons.named("sdc-pull-" + ref.repository()));
    try {
      List<Future<Void>> running = new ArrayList<>();
      for (LayerRef layer : missing) {
        running.add(
            pool.submit(
                () -> {
                  if (!store.blobs().fetchOnce(layer.digest(), () -> fetch(layer, out))) {
                    out.accept(status("Download complete", shortId(layer.digest())));
                  }
                  return null;
                }));
      }
      Throwable first = null;
      for (Future<Void> f : running) {
        try {
          f.get();
        } catch (ExecutionException e) {
          first = first == null ? e.getCause() : first;
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          running.forEach(x -> x.cancel(true));
          throw new InterruptedIOException("pull of " + ref + " interrupted");
        }
      }
      if (first instanceof IOException io) {
        throw io;
      }
      if (first != null) {
        throw DockerException.of(first);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private void fetch(LayerRef layer, Consumer<ObjectNode> out) throws IOException {
    String id = shortId(layer.digest());
    try (InputStream in = session.blob(layer.digest());
        BlobStore.Sink sink = store.blobs().open(layer.digest())) {
      sink.copy(in, reporter("Downloading", id, layer.size(), out));
      out.accept(status("Verifying Checksum", id));
      sink.commit();
    }
    out.accept(status("Download complete", id));
    out.accept(status("Pull complete", id));
  }

  /**
   * Progress of one blob's transfer, as Docker reports it: every 512 KiB or 100 ms, and at the end.
   */
  static LongConsumer reporter(String status, String id, long total, Consumer<ObjectNode> out) {
    long[] last = {0, 0};
    return n -> {
      long now = System.nanoTime();
      if (n == total || n - last[0] >= (1 << 19) || now - last[1] > 100_000_000L) {
        last[0] = n;
        last[1] = now;
        out.accept(progress(status, id, n, total));
      }
    };
  }

  static String shortId(String digest) {
    return digest.substring(7, 19);
  }

  static ObjectNode status(String status, String id) {
    ObjectNode n = Json.MAPPER.createObjectNode().put("status", status);
    if (id != null) {
      n.putObject("progressDetail");
      n.put("id", id);
    }
    return n;
  }

  static ObjectNode progress(String status, String id, long current, long total) {
    ObjectNode n = Json.MAPPER.createObjectNode().put("status", status);
    n.putObject("progressDetail").put("current", current).put("total", total);
    n.put("progress", bar(current, total));
    n.put("id", id);
    return n;
  }

  /** Docker's progress bar: 50 columns, then sizes. */
  static String bar(long current, long total) {
    int width = 50;
    int filled = total > 0 ? (int) Math.min(width, current * width / total) : 0;
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < width; i++) {
      b.append(i < filled - 1 ? '=' : i == filled - 1 ? '>' : ' ');
    }
    return b.append("] ").append(human(current)).append('/').append(human(total)).toString();
  }

  static String human(long n) {
    String[] units = {"B", "kB", "MB", "GB"};
    double v = n;
    int u = 0;
    while (v >= 1000 && u < units.length - 1) {
      v /= 1000;
      u++;
    }
    return u == 0 ? n + "B" : String.format("%.3g%s", v, units[u]);
  }

  /** This node's architecture in Go's words (amd64, arm64). */
  /** Docker 20.10's answer when an image is not of the platform asked for. */
  public static DockerException mismatch(String ref, Platform wanted, Platform actual) {
    return DockerException.notFound(
        "image with reference %s was found but does not match the specified platform: "
            + "wanted %s, actual: %s",
        ref, wanted, actual);
  }

  public static String architecture() {
    String a = System.getProperty("os.arch");
    return switch (a) {
      case "amd64", "x86_64" -> "amd64";
      case "aarch64" -> "arm64";
      default -> a;
    };
  }

  /** The HTTP client every pull shares. */
  public static HttpClient newHttpClient() {
    return HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .followRedirects(HttpClient.Redirect.NORMAL)
        .connectTimeout(Duration.ofSeconds(15))
        .build();
  }

  HttpClient http() {
    return http;
  }
}
