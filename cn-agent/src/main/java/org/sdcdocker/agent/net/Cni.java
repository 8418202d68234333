package org.sdcdocker.agent.net;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.sdcdocker.protocol.DockerException;
import org.sdcdocker.protocol.Json;

/**
 * Runs a CNI plugin chain as the specification says: ADD through each plugin in order with the
 * previous result, DEL in reverse order with the cached one. Capabilities' runtime settings
 * (portMappings, ips, mac) go to the plugins that declare them.
 */
public final class Cni {
  static final String VERSION = "1.0.0";
  private static final long TIMEOUT_S = 30;

  private final Path pluginDir;

  public Cni(Path pluginDir) {
    this.pluginDir = pluginDir;
  }

  /** One invocation's identity: the container, its namespace, the interface name inside. */
  record Target(String containerId, String netns, String ifname) {}

  /** ADD through the chain; returns the last plugin's result. */
  JsonNode add(ObjectNode confList, Target t, Map<String, Object> runtimeConfig) {
    JsonNode prev = null;
    List<ObjectNode> done = new ArrayList<>();
    try {
      for (JsonNode plugin : confList.get("plugins")) {
        ObjectNode conf = pluginConf(confList, (ObjectNode) plugin, runtimeConfig, prev);
        prev = run("ADD", conf, t);
        done.add(conf);
      }
      return prev;
    } catch (DockerException e) {
      for (int i = done.size() - 1; i >= 0; i--) {
        try {
          run("DEL", done.get(i), t);
        } catch (DockerException ignored) {
          // undoing what could be undone; the ADD's error is the one to report
        }
      }
      throw e;
    }
  }

  /** DEL through the chain in reverse order; every plugin is asked even when one fails. */
  void del(ObjectNode confList, Target t, Map<String, Object> runtimeConfig, JsonNode prevResult) {
    List<JsonNode> plugins = new ArrayList<>();
    confList.get("plugins").forEach(plugins::add);
    DockerException first = null;
    for (int i = plugins.size() - 1; i >= 0; i--) {
      try {
        run("DEL", pluginConf(confList, (ObjectNode) plugins.get(i), runtimeConfig, prevResult), t);
      } catch (DockerException e) {
        first = first == null ? e : first;
      }
    }
    if (first != null) {
      throw first;
    }
  }

  private static ObjectNode pluginConf(
      ObjectNode list, ObjectNode plugin, Map<String, Object> rc, JsonNode prev) {
    ObjectNode conf = plugin.deepCopy();
    conf.put("cniVersion", list.path("cniVersion").asText(VERSION));
    conf.put("name", list.path("name").asText());
    JsonNode caps = plugin.path("capabilities");
    ObjectNode runtime = Json.MAPPER.createObjectNode();
    rc.forEach(
        (k, v) -> {
          if (caps.path(k).asBoolean(false)) {
            runtime.set(k, Json.MAPPER.valueToTree(v));
          }
        });
    if (!runtime.isEmpty()) {
      conf.set("runtimeConfig", runtime);
    }
    conf.remove("capabilities");
    if (prev != null) {
      conf.set("prevResult", prev);
    }
    return conf;
  }

  private JsonNode run(String command, ObjectNode conf, Target t) {
    String type = conf.path("type").asText();
    if (!type.matches("[a-z0-9-]+")) {
      throw DockerException.internal("bad CNI plugin type %s", type);
    }
    Path plugin = pluginDir.resolve(type);
    ProcessBuilder pb = new ProcessBuilder(plugin.toString());
    Map<String, String> env = pb.environment();
    env.put("CNI_COMMAND", command);
    env.put("CNI_CONTAINERID", t.containerId());
    env.put("CNI_NETNS", t.netns());
    env.put("CNI_IFNAME", t.ifname());
    env.put("CNI_PATH", pluginDir.toString());
    pb.redirectError(ProcessBuilder.Redirect.DISCARD);
    try {
      Process p = pb.start();
      try (var in = p.getOutputStream()) {
        in.write(Json.bytes(conf));
      }
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(TIMEOUT_S, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw DockerException.internal("CNI plugin %s %s timed out", type, command);
      }
      if (p.exitValue() != 0) {
        JsonNode err = out.length == 0 ? null : Json.MAPPER.readTree(out);
        String msg = err == null ? "exit " + p.exitValue() : err.path("msg").asText() + detail(err);
        throw DockerException.internal("%s", msg);
      }
      return command.equals("ADD") && out.length > 0 ? Json.MAPPER.readTree(out) : null;
    } catch (IOException e) {
      throw DockerException.internal("running CNI plugin %s: %s", type, e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw DockerException.internal("interrupted running CNI plugin %s", type);
    }
  }

  private static String detail(JsonNode err) {
    String d = err.path("details").asText("");
    return d.isEmpty() ? "" : ": " + d;
  }

  /** A conf list with these plugins. */
  static ObjectNode confList(String name, List<ObjectNode> plugins) {
    ObjectNode l = Json.MAPPER.createObjectNode();
    l.put("cniVersion", VERSION);
    l.put("name", name);
    ArrayNode a = l.putArray("plugins");
    plugins.forEach(a::add);
    return l;
  }

  /** The first IPv4 address of a result: address/prefix, gateway, the interface's MAC. */
  record Ip(String ip, int prefixLen, String gateway, String mac) {
    static Ip of(JsonNode result) {
      for (JsonNode ip : result.path("ips")) {
        String[] a = ip.path("address").asText().split("/");
        if (a[0].contains(".")) {
          int iface = ip.path("interface").asInt(-1);
          String mac =
              iface >= 0 ? result.path("interfaces").path(iface).path("mac").asText("") : "";
          return new Ip(a[0], Integer.parseInt(a[1]), ip.path("gateway").asText(""), mac);
        }
      }
      throw DockerException.internal("the network gave no IPv4 address");
    }
  }

  /** Writes a small JSON file whole. */
  static void write(Path file, JsonNode n) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.write(tmp, Json.bytes(n));
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }
}
