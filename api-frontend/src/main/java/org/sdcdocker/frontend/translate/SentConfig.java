package org.sdcdocker.frontend.translate;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;
import org.sdcdocker.protocol.Json;

/**
 * What only inspect gives back of a create body: the three Attach flags and the HostConfig as the
 * client sent it (inspect shows the fields this server does not act on as they were given). It
 * stays in the front ends; the agents never see it.
 */
public record SentConfig(
    boolean attachStdin,
    boolean attachStdout,
    boolean attachStderr,
    Map<String, Object> hostConfig) {
  /** None was kept (a build's container, or one made before the front end kept them). */
  public static final SentConfig NONE = new SentConfig(false, false, false, Map.of());

  public SentConfig {
    hostConfig = hostConfig == null ? Map.of() : hostConfig;
  }

  /** The parts of a create body (already checked by {@link CreateBody#decode}) kept for inspect. */
  @SuppressWarnings("unchecked")
  public static SentConfig of(JsonNode body, CreateBody decoded) {
    JsonNode h = body.path("HostConfig");
    Map<String, Object> host =
        h.isObject() ? Json.MAPPER.convertValue(h, LinkedHashMap.class) : Map.of();
    return new SentConfig(
        decoded.attachStdin(), decoded.attachStdout(), decoded.attachStderr(), host);
  }
}
