package org.sdcdocker.frontend.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.sdcdocker.protocol.DockerException;
import org.sdcdocker.protocol.Json;

/** docker commit's {@code -c}: the Dockerfile instructions that change an image's config. */
final class CommitChanges {
  private CommitChanges() {}

  static void apply(ObjectNode config, String change) {
    String line = change.trim();
    int sp = line.indexOf(' ');
    String word = (sp < 0 ? line : line.substring(0, sp)).toUpperCase(Locale.ROOT);
    String rest = sp < 0 ? "" : line.substring(sp + 1).trim();
    switch (word) {
      case "CMD" -> config.set("Cmd", command(rest));
      case "ENTRYPOINT" -> config.set("Entrypoint", command(rest));
      case "ENV" -> env(config, rest);
      case "LABEL" -> pairs(rest).forEach((k, v) -> labels(config).put(k, v));
      case "EXPOSE" -> {
        ObjectNode ports =
            config.has("ExposedPorts") && config.get("ExposedPorts").isObject()
                ? (ObjectNode) config.get("ExposedPorts")
                : config.putObject("ExposedPorts");
        for (String p : rest.split("\\s+")) {
          ports.putObject(p.contains("/") ? p : p + "/tcp");
        }
      }
      case "USER" -> config.put("User", rest);
      case "WORKDIR" -> config.put("WorkingDir", rest);
      case "STOPSIGNAL" -> config.put("StopSignal", rest);
      case "VOLUME" -> {
        ObjectNode vols =
            config.has("Volumes") && config.get("Volumes").isObject()
                ? (ObjectNode) config.get("Volumes")
                : config.putObject("Volumes");
        for (String v : rest.startsWith("[") ? strings(rest) : rest.split("\\s+")) {
          vols.putObject(v);
        }
      }
      default ->
          throw DockerException.invalid(
              "%s is not a valid change command", word.toLowerCase(Locale.ROOT));
    }
  }

  /** The exec form (a JSON array) as it is, the shell form under /bin/sh -c. */
  private static ArrayNode command(String rest) {
    ArrayNode a = Json.MAPPER.createArrayNode();
    if (rest.startsWith("[")) {
      for (String s : strings(rest)) {
        a.add(s);
      }
    } else {
      a.add("/bin/sh").add("-c").add(rest);
    }
    return a;
  }

  private static String[] strings(String json) {
    try {
      JsonNode n = Json.MAPPER.readTree(json);
      String[] out = new String[n.size()];
      for (int i = 0; i < n.size(); i++) {
        out[i] = n.get(i).asText();
      }
      return out;
    } catch (IOException e) {
      throw DockerException.invalid("invalid JSON in change: %s", json);
    }
  }

  private static void env(ObjectNode config, String rest) {
    ArrayNode env =
        config.has("Env") && config.get("Env").isArray()
            ? (ArrayNode) config.get("Env")
            : config.putArray("Env");
    Map<String, String> set =
        rest.contains("=")
            ? pairs(rest)
            : Map.of(
                rest.split("\\s+", 2)[0],
                rest.split("\\s+", 2).length > 1 ? rest.split("\\s+", 2)[1] : "");
    set.forEach(
        (k, v) -> {
          for (int i = env.size() - 1; i >= 0; i--) {
            if (env.get(i).asText().startsWith(k + "=")) {
              env.remove(i);
            }
          }
          env.add(k + "=" + v);
        });
  }

  private static ObjectNode labels(ObjectNode config) {
    return config.has("Labels") && config.get("Labels").isObject()
        ? (ObjectNode) config.get("Labels")
        : config.putObject("Labels");
  }

  /** k=v k2="v 2" pairs. */
  private static Map<String, String> pairs(String rest) {
    Map<String, String> out = new LinkedHashMap<>();
    Matcher m = Pattern.compile("([^\\s=]+)=(\"([^\"]*)\"|(\\S*))").matcher(rest);
    while (m.find()) {
      out.put(m.group(1), m.group(3) != null ? m.group(3) : m.group(4));
    }
    return out;
  }
}
