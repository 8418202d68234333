package org.sdcdocker.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.sdcdocker.protocol.Json;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * A role's flags from a JSON file ({@code --config FILE}): each key is a flag's long name without
 * its dashes ({@code "cluster-host": "10.0.0.1"}, {@code "cluster-member": ["a:5701", "b:5701"]},
 * {@code "allow-host-binds": true}); flags on the command line override it. A key that names no
 * flag of the command is an error that names it.
 */
final class ConfigFile implements CommandLine.IDefaultValueProvider {
  private final Path file;
  private final Map<String, String> values = new HashMap<>();

  private ConfigFile(Path file, JsonNode root) {
    this.file = file;
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode v = e.getValue();
      if (v.isNull() || (v.isArray() && v.isEmpty())) {
        values.put(e.getKey(), null); // a known flag left unset
      } else if (v.isArray()) {
        List<String> items = new ArrayList<>();
        v.forEach(x -> items.add(x.asText()));
        values.put(e.getKey(), String.join(",", items));
      } else {
        values.put(e.getKey(), v.asText());
      }
    }
  }

  /** The file named by {@code --config FILE} or {@code --config=FILE} in the arguments, if any. */
  static ConfigFile from(String[] args) throws IOException {
    for (int i = 0; i < args.length; i++) {
      String path = null;
      if (args[i].equals("--config") && i + 1 < args.length) {
        path = args[i + 1];
      } else if (args[i].startsWith("--config=")) {
        path = args[i].substring("--config=".length());
      }
      if (path != null) {
        Path p = Path.of(path);
        JsonNode root;
        try {
          root = Json.MAPPER.readTree(Files.readAllBytes(p));
        } catch (IOException e) {
          throw new CommandLine.PicocliException(
              "cannot read the config file " + p + ": " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
          throw new CommandLine.PicocliException("the config file " + p + " is not a JSON object");
        }
        return new ConfigFile(p, root);
      }
    }
    return null;
  }

  /** Refuses the keys that name no flag of the command that runs. */
  void check(CommandSpec command) {
    for (String key : values.keySet()) {
      if (key.equals("config")
          || key.equals("print-config")
          || command.findOption("--" + key) == null) {
        throw new CommandLine.ParameterException(
            command.commandLine(),
            "unknown key '"
                + key
                + "' in the config file "
                + file
                + " (no such flag of "
                + command.name()
                + ")");
      }
    }
  }

  /**
   * The configuration a parsed command runs with, as a config file holding every flag (unset ones
   * null): what --print-config shows, and what the package's files under /etc/sdc-docker are.
   */
  static String print(CommandSpec command) {
    ObjectNode out = Json.MAPPER.createObjectNode();
    for (OptionSpec o : command.options()) {
      String key = o.longestName().replaceFirst("^--?", "");
      if (o.usageHelp() || o.versionHelp() || key.equals("config") || key.equals("print-config")) {
        continue;
      }
      Object v = o.getValue();
      if (v == null) {
        out.putNull(key);
      } else if (v instanceof Collection<?> c) {
        ArrayNode a = out.putArray(key);
        c.forEach(x -> a.add(String.valueOf(x)));
      } else if (v instanceof Boolean b) {
        out.put(key, b);
      } else if (v instanceof Integer i) {
        out.put(key, i);
      } else {
        out.put(key, String.valueOf(v));
      }
    }
    try {
      return Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(out);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public String defaultValue(ArgSpec arg) {
    if (arg instanceof OptionSpec o) {
      return values.get(o.longestName().replaceFirst("^--?", ""));
    }
    return null;
  }
}
