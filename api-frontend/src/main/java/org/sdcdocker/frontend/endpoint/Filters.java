package org.sdcdocker.frontend.endpoint;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.sdcdocker.protocol.DockerException;
import org.sdcdocker.protocol.Json;

/** The {@code filters} query parameter of Docker's list calls, in both of its JSON shapes. */
final class Filters {
  private Filters() {}

  /**
   * Each filter's values ({"k":["v"]} or the old {"k":{"v":true}}); an unknown filter is refused.
   */
  static Map<String, List<String>> parse(String json, Set<String> known) {
    Map<String, List<String>> out = new HashMap<>();
    if (json == null || json.isEmpty()) {
      return out;
    }
    JsonNode root;
    try {
      root = Json.MAPPER.readTree(json);
    } catch (IOException e) {
      throw DockerException.invalid("invalid filter: %s", json);
    }
    root.fields()
        .forEachRemaining(
            e -> {
              List<String> vals = new ArrayList<>();
              if (e.getValue().isArray()) {
                e.getValue().forEach(v -> vals.add(v.asText()));
              } else {
                e.getValue().fieldNames().forEachRemaining(vals::add);
              }
              if (!known.contains(e.getKey())) {
                throw DockerException.invalid("invalid filter '%s'", e.getKey());
              }
              out.put(e.getKey(), vals);
            });
    return out;
  }
}
