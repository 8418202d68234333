package org.sdcdocker.frontend.image;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sdcdocker.protocol.DockerException;
import org.sdcdocker.protocol.Json;

/**
 * docker search: a term naming a registry ({@code host:port/word}) is looked up in that registry's
 * catalog (repositories whose name contains the word); any other term goes to Docker Hub's search.
 * Blocking.
 */
public final class ImageSearch {
  private final HttpClient http;

  public ImageSearch(HttpClient http) {
    this.http = http;
  }

  /** Docker's search results, at most {@code limit}. */
  public List<Map<String, Object>> search(String term, int limit, RegistryAuth auth) {
    int slash = term.indexOf('/');
    String first = slash < 0 ? "" : term.substring(0, slash);
    boolean registry = first.contains(".") || first.contains(":") || first.equals("localhost");
    List<Map<String, Object>> out = new ArrayList<>();
    if (registry) {
      String word = term.substring(slash + 1);
      ImageReference ref = ImageReference.parse(first + "/search");
      for (String repo : new RegistrySession(http, ref, auth).catalog()) {
        if (repo.contains(word) && out.size() < limit) {
          out.add(result(first + "/" + repo, "", 0, false));
        }
      }
      return out;
    }
    URI u =
        URI.create(
            "https://index.docker.io/v1/search?q="
                + URLEncoder.encode(term, StandardCharsets.UTF_8)
                + "&n="
                + limit);
    try {
      HttpResponse<byte[]> r =
          http.send(
              HttpRequest.newBuilder(u).timeout(Duration.ofSeconds(30)).build(),
              HttpResponse.BodyHandlers.ofByteArray());
      if (r.statusCode() != 200) {
        throw DockerException.internal("Unexpected status code %d", r.statusCode());
      }
      for (JsonNode n : Json.MAPPER.readTree(r.body()).path("results")) {
        if (out.size() < limit) {
          out.add(
              result(
                  n.path("name").asText(),
                  n.path("description").asText(""),
                  n.path("star_count").asInt(),
                  n.path("is_official").asBoolean()));
        }
      }
      return out;
    } catch (IOException e) {
      throw DockerException.internal(
          "Get \"%s\": %s", u, e.getMessage() == null ? e.toString() : e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw DockerException.internal("interrupted");
    }
  }

  private static Map<String, Object> result(
      String name, String description, int stars, boolean official) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", name);
    m.put("description", description);
    m.put("star_count", stars);
    m.put("is_official", official);
    m.put("is_automated", false);
    return m;
  }
}
