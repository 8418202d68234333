package org.sdcdocker.frontend.image;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.sdcdocker.protocol.Digest;
import org.sdcdocker.protocol.DockerException;
import org.sdcdocker.protocol.ErrorKind;
import org.sdcdocker.protocol.Json;

/**
 * One conversation with a registry v2 about one repository: anonymous, basic or bearer-token auth
 * (the token is fetched once on the first 401 and reused). Blocking: call off the event loop.
 *
 * <p>Why it is long: the registry v2 protocol as clients meet it: anonymous, basic and bearer-token
 * auth with their retries, manifests of four media types, blobs with redirects, tag lists.
 */
final class RegistrySession {
  static final String MANIFEST_TYPES =
      String.join(
          ", ",
          "application/vnd.docker.distribution.manifest.v2+json",
          "application/vnd.docker.distribution.manifest.list.v2+json",
          "application/vnd.oci.image.manifest.v1+json",
          "application/vnd.oci.image.index.v1+json");
  private static final Pattern PARAM = Pattern.compile("(\\w+)=\"([^\"]*)\"");

  private final HttpClient http;
  private final ImageReference ref;
  private final RegistryAuth auth;
  private volatile String authorization; // pulls fetch several blobs at once through one session
  private volatile boolean reauthorized;
  private String actions = "pull";

  /** A fetched manifest: its bytes, media type and digest. */
  record Manifest(byte[] body, String mediaType, String digest) {
    JsonNode json() {
      try {
        return Json.MAPPER.readTree(body);
      } catch (IOException e) {
        throw DockerException.internal("malformed manifest %s: %s", digest, e.getMessage());
      }
    }
  }

  RegistrySession(HttpClient http, ImageReference ref, RegistryAuth auth) {
    this.http = http;
    this.ref = ref;
    this.auth = auth;
  }

  /** Fetches a manifest by tag or digest; a digest reference is verified. */
  Manifest manifest(String reference) {
    HttpResponse<byte[]> r =
        send(
            path("/manifests/" + reference),
            MANIFEST_TYPES,
            HttpResponse.BodyHandlers.ofByteArray());
    if (r.statusCode() == 404) {
      throw new DockerException(
          ErrorKind.NOT_FOUND,
          "manifest for " + ref + " not found: manifest unknown: manifest unknown");
    }
    check(r.statusCode(), "manifest " + reference);
    String digest = sha256(r.body());
    if (reference.startsWith("sha256:") && !reference.equals(digest)) {
      throw DockerException.internal("manifest verification failed for digest %s", reference);
    }
    String type = r.headers().firstValue("Content-Type").orElse("").split(";")[0].trim();
    return new Manifest(r.body(), type, digest);
  }

  /**
   * Checks the credentials against the registry's base endpoint (docker login), with the same
   * challenge handling as a pull; refused in Docker's words.
   */
  void login() {
    URI base = URI.create(ref.baseUrl() + "/v2/");
    HttpResponse<byte[]> r =
        send(base, "application/json", HttpResponse.BodyHandlers.ofByteArray());
    if (r.statusCode() / 100 != 2) {
      String text =
          r.statusCode() == 401 ? "Unauthorized" : r.statusCode() == 403 ? "Forbidden" : "";
      throw new DockerException(
          r.statusCode() == 401 || r.statusCode() == 403
              ? ErrorKind.UNAUTHORIZED
              : ErrorKind.INTERNAL,
          "login attempt to "
              + base
              + " failed with status: "
              + r.statusCode()
              + (text.isEmpty() ? "" : " " + text));
    }
  }

  /** Opens a blob's stream; the caller verifies its digest while storing it. */
  InputStream blob(String digest) {
    HttpResponse<InputStream> r =
        send(path("/blobs/" + digest), "*/*", HttpResponse.BodyHandlers.ofInputStream());
    if (r.statusCode() != 200) {
      try {
        r.body().close();
      } catch (IOException ignored) {
        // nothing to read
      }
      check(r.statusCode(), "blob " + digest);
    }
    return r.body();
  }

  /** The repository's tags (GET /v2/NAME/tags/list, page by page). */
  List<String> tags() {
    List<String> out = pages(path("/tags/list?n=100"), "tags", "tag list");
    Collections.sort(out);
    return out;
  }

  /** The registry's repositories (GET /v2/_catalog, page by page). */
  List<String> catalog() {
    return pages(URI.create(ref.baseUrl() + "/v2/_catalog?n=100"), "repositories", "catalog");
  }

  /** A list the registry gives in pages (Link: <next>; rel="next"), at most 100 of them. */
  private List<String> pages(URI first, String field, String what) {
    List<String> out = new ArrayList<>();
    URI next = first;
    for (int page = 0; page < 100 && next != null; page++) {
      HttpResponse<byte[]> r =
          send(next, "application/json", HttpResponse.BodyHandlers.ofByteArray());
      if (r.statusCode() == 404) {
        throw DockerException.notFound("repository %s not found: name unknown", ref.familiarName());
      }
      if (r.statusCode() / 100 != 2) {
        check(r.statusCode(), what);
      }
      try {
        Json.MAPPER.readTree(r.body()).path(field).forEach(t -> out.add(t.asText()));
      } catch (IOException e) {
        throw DockerException.internal(
            "malformed %s from %s: %s", what, ref.registry(), e.getMessage());
      }
      next =
          r.headers()
              .firstValue("Link")
              .filter(l -> l.contains("rel=\"next\""))
              .map(l -> location(l.substring(l.indexOf('<') + 1, l.indexOf('>'))))
              .orElse(null);
    }
    return out;
  }

  /** From now on credentials are asked for pushing too. */
  void forPush() {
    actions = "pull,push";
  }

  /** Whether the repository has the blob (HEAD). */
  boolean hasBlob(String digest) {
    HttpResponse<Void> r =
        send(
            () ->
                HttpRequest.newBuilder(path("/blobs/" + digest))
                    .method("HEAD", HttpRequest.BodyPublishers.noBody()),
            HttpResponse.BodyHandlers.discarding());
    if (r.statusCode() == 404) {
      return false;
    }
    pushCheck(r.statusCode(), "blob " + digest);
    return true;
  }

  /** Asks the registry to mount a blob from another of its repositories; whether it did. */
  boolean mountBlob(String digest, String fromRepository) {
    URI u =
        path(
            "/blobs/uploads/?mount="
                + digest
                + "&from="
                + URLEncoder.encode(fromRepository, StandardCharsets.UTF_8));
    HttpResponse<Void> r =
        send(
            () -> HttpRequest.newBuilder(u).POST(HttpRequest.BodyPublishers.noBody()),
            HttpResponse.BodyHandlers.discarding());
    if (r.statusCode() == 201) {
      return true;
    }
    pushCheck(r.statusCode(), "blob mount " + digest);
    r.headers()
        .firstValue("Location")
        .ifPresent(
            loc ->
                send(
                    () -> HttpRequest.newBuilder(location(loc)).DELETE(),
                    HttpResponse.BodyHandlers
                        .discarding())); // the upload it started instead is not wanted
    return false;
  }

  /**
   * Uploads a blob in one request (POST for a session, PUT with the digest); bytes sent so far to
   * {@code sent}.
   */
  void uploadBlob(String digest, Path file, LongConsumer sent) {
    HttpResponse<Void> start =
        send(
            () ->
                HttpRequest.newBuilder(path("/blobs/uploads/"))
                    .POST(HttpRequest.BodyPublishers.noBody()),
            HttpResponse.BodyHandlers.discarding());
    pushCheck(start.statusCode(), "blob upload " + digest);
    String loc =
        start
            .headers()
            .firstValue("Location")
            .orElseThrow(
                () ->
                    DockerException.internal(
                        "registry %s gave no upload location", ref.registry()));
    URI put = location(loc + (loc.contains("?") ? "&" : "?") + "digest=" + digest);
    long size;
    try {
      size = Files.size(file);
    } catch (IOException e) {
      throw DockerException.internal("blob %s is missing from the image store", digest);
    }
    HttpResponse<String> r =
        send(
            () ->
                HttpRequest.newBuilder(put)
                    .header("Content-Type", "application/octet-stream")
                    .PUT(
                        HttpRequest.BodyPublishers.fromPublisher(
                            HttpRequest.BodyPublishers.ofInputStream(
                                () -> {
                                  try {
                                    return new FilterInputStream(Files.newInputStream(file)) {
                                      private long count;

                                      @Override
                                      public int read(byte[] b, int off, int len)
                                          throws IOException {
                                        int n = super.read(b, off, len);
                                        if (n > 0) {
                                          count += n;
                                          sent.accept(count);
                                        }
                                        return n;
                                      }
                                    };
                                  } catch (IOException e) {
                                    throw new UncheckedIOException(e);
                                  }
                                }),
                            size)),
            HttpResponse.BodyHandlers.ofString());
    pushCheck(r.statusCode(), "blob " + digest);
  }

  /** Puts a manifest under a tag; the digest the registry gives it. */
  String putManifest(String tag, String mediaType, byte[] body) {
    HttpResponse<String> r =
        send(
            () ->
                HttpRequest.newBuilder(path("/manifests/" + tag))
                    .header("Content-Type", mediaType)
                    .PUT(HttpRequest.BodyPublishers.ofByteArray(body)),
            HttpResponse.BodyHandlers.ofString());
    pushCheck(r.statusCode(), "manifest " + tag);
    return r.headers().firstValue("Docker-Content-Digest").orElse(sha256(body));
  }

  private URI location(String loc) {
    return URI.create(ref.baseUrl() + "/").resolve(loc);
  }

  private void pushCheck(int status, String what) {
    if (status == 401 || status == 403) {
      throw new DockerException(
          ErrorKind.UNAUTHORIZED, "denied: requested access to the resource is denied");
    }
    if (status / 100 != 2) {
      throw DockerException.internal(
          "registry %s answered %d for %s of %s", ref.registry(), status, what, ref.familiarName());
    }
  }

  private void check(int status, String what) {
    if (status == 401 || status == 403) {
      throw new DockerException(
          ErrorKind.UNAUTHORIZED,
          "pull access denied for "
              + ref.familiarName()
              + ", repository does not exist or may require 'docker login': denied: requested access to the resource is denied");
    }
    if (status == 404) {
      throw DockerException.notFound(
          "%s of %s not found in registry %s", what, ref.familiarName(), ref.registry());
    }
    if (status / 100 != 2) {
      throw DockerException.internal(
          "registry %s answered %d for %s", ref.registry(), status, what);
    }
  }

  private URI path(String suffix) {
    return URI.create(ref.baseUrl() + "/v2/" + ref.repository() + suffix);
  }

  private <T> HttpResponse<T> send(URI uri, String accept, HttpResponse.BodyHandler<T> handler) {
    return send(() -> HttpRequest.newBuilder(uri).header("Accept", accept), handler);
  }

  /**
   * Sends a request, answering a 401 challenge once: a first one, or one that asks for more than
   * the credentials already got (a push after a pull's token).
   */
  private <T> HttpResponse<T> send(
      Supplier<HttpRequest.Builder> request, HttpResponse.BodyHandler<T> handler) {
    URI uri = request.get().build().uri();
    try {
      HttpResponse<T> r = http.send(authorized(request.get()), handler);
      if (r.statusCode() == 401 && !reauthorized) {
        String challenge = r.headers().firstValue("WWW-Authenticate").orElse("");
        if (r.body() instanceof InputStream in) {
          in.close();
        }
        reauthorized = authorization != null;
        authorization = authenticate(challenge);
        if (authorization != null) {
          r = http.send(authorized(request.get()), handler);
        }
      }
      return r;
    } catch (ConnectException e) {
      throw DockerException.internal(
          "Get \"%s\": dial tcp %s: connect: connection refused", uri, ref.registry());
    } catch (IOException e) {
      throw DockerException.internal(
          "Get \"%s\": %s", uri, e.getMessage() == null ? e.toString() : e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw DockerException.internal("interrupted talking to %s", ref.registry());
    }
  }

  private HttpRequest authorized(HttpRequest.Builder b) {
    b.timeout(Duration.ofMinutes(10));
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    return b.build();
  }

  /** Answers a challenge: Basic with the client's credentials, or a Bearer token from the realm. */
  private String authenticate(String challenge) throws IOException, InterruptedException {
    if (challenge.regionMatches(true, 0, "Basic", 0, 5)) {
      return auth.hasBasic() ? auth.basic() : null;
    }
    if (!challenge.regionMatches(true, 0, "Bearer", 0, 6)) {
      return null;
    }
    if (auth.registryToken() != null && !auth.registryToken().isEmpty()) {
      return "Bearer " + auth.registryToken();
    }
    Map<String, String> p = new HashMap<>();
    Matcher m = PARAM.matcher(challenge);
    while (m.find()) {
      p.put(m.group(1), m.group(2));
    }
    String realm = p.get("realm");
    if (realm == null) {
      return null;
    }
    StringBuilder url = new StringBuilder(realm).append(realm.contains("?") ? "&" : "?");
    if (p.containsKey("service")) {
      url.append("service=")
          .append(URLEncoder.encode(p.get("service"), StandardCharsets.UTF_8))
          .append('&');
    }
    String scope =
        actions.equals("pull")
            ? p.getOrDefault("scope", "repository:" + ref.repository() + ":pull")
            : "repository:" + ref.repository() + ":" + actions;
    url.append("scope=").append(URLEncoder.encode(scope, StandardCharsets.UTF_8));
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(url.toString())).timeout(Duration.ofSeconds(30));
    if (auth.hasBasic()) {
      b.header("Authorization", auth.basic());
    }
    HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    if (r.statusCode() != 200) {
      throw new DockerException(
          ErrorKind.UNAUTHORIZED,
          "Get \"" + realm + "\": unauthorized: incorrect username or password");
    }
    JsonNode tok = Json.MAPPER.readTree(r.body());
    String t =
        tok.hasNonNull("token") ? tok.get("token").asText() : tok.path("access_token").asText(null);
    return t == null ? null : "Bearer " + t;
  }

  static String sha256(byte[] data) {
    return Digest.of(data).toString();
  }
}
