package org.sdcdocker.frontend.endpoint;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.sdcdocker.frontend.fake.FakeFrontEnd;
import org.sdcdocker.protocol.Json;

/**
 * The front end's views against golden files (src/test/resources/golden): inspect, list, version,
 * info and events, with what changes from run to run (ids, times, sizes) replaced by placeholders.
 * A change of a view's shape shows here first. Set -Dsdc.golden.write=true to write the files anew
 * (then read the diff).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GoldenViewsTest {
  private static final Path GOLDEN = Path.of("src/test/resources/golden");
  private static final Pattern HEX64 = Pattern.compile("(sha256:)?[0-9a-f]{64}");
  private static final Pattern HEX12 = Pattern.compile("[0-9a-f]{12}");
  private static final Pattern TIME = Pattern.compile("\\d{4}-\\d\\d-\\d\\dT[0-9:.]+Z");

  @TempDir static Path root;
  private FakeFrontEnd fe;
  private String id;

  @BeforeAll
  void start() throws Exception {
    fe = FakeFrontEnd.start(root);
    String created =
        send(
            "POST",
            "/containers/create?name=golden",
            ("{\"Image\":\"test/tiny\",\"Cmd\":[\"sh\",\"-c\",\"echo hi\"],\"Env\":[\"A=1\"],"
                    + "\"Labels\":{\"team\":\"a\"},\"HostConfig\":{\"Memory\":67108864}}")
                .getBytes(StandardCharsets.UTF_8));
    id = Json.MAPPER.readTree(created).path("Id").asText();
    send("POST", "/containers/golden/start", new byte[0]);
  }

  @AfterAll
  void stop() throws Exception {
    fe.close();
  }

  @Test
  void inspect() throws Exception {
    golden("inspect.json", get("/containers/golden/json"));
  }

  @Test
  void list() throws Exception {
    golden("list.json", get("/containers/json?all=1"));
  }

  @Test
  void version() throws Exception {
    golden("version.json", get("/version"));
  }

  @Test
  void info() throws Exception {
    ObjectNode info = (ObjectNode) Json.MAPPER.readTree(get("/info"));
    info.put("Name", "<this host's name>");
    golden("info.json", info.toString());
  }

  @Test
  void events() throws Exception {
    String until = Long.toString(System.currentTimeMillis() / 1000 + 1);
    golden(
        "events.json",
        "[" + String.join(",", get("/events?since=0&until=" + until).strip().split("\n")) + "]");
  }

  private void golden(String name, String body) throws Exception {
    JsonNode actual = sorted(normalize(Json.MAPPER.readTree(body)));
    String pretty = Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(actual) + "\n";
    Path file = GOLDEN.resolve(name);
    if (Boolean.getBoolean("sdc.golden.write") || !Files.exists(file)) {
      Files.createDirectories(GOLDEN);
      Files.writeString(file, pretty);
    }
    // objects compare without their keys' order (some views are built from hash maps)
    assertThat(actual)
        .as(name + " (golden: " + file + ")\n" + pretty)
        .isEqualTo(Json.MAPPER.readTree(Files.readString(file)));
  }

  /** The same tree with every object's keys in order, for a file people read. */
  private static JsonNode sorted(JsonNode n) {
    if (n.isObject()) {
      ObjectNode out = Json.MAPPER.createObjectNode();
      new TreeMap<String, JsonNode>(
              Json.MAPPER.convertValue(n, new TypeReference<Map<String, JsonNode>>() {}))
          .forEach((k, v) -> out.set(k, sorted(v)));
      return out;
    }
    if (n.isArray()) {
      ArrayNode out = Json.MAPPER.createArrayNode();
      n.forEach(e -> out.add(sorted(e)));
      return out;
    }
    return n;
  }

  /** What changes from run to run becomes a placeholder; the shape and the rest stay. */
  private JsonNode normalize(JsonNode n) {
    if (n.isObject()) {
      ObjectNode o = (ObjectNode) n;
      for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        e.setValue(normalizeField(e.getKey(), e.getValue()));
      }
      return o;
    }
    if (n.isArray()) {
      for (int i = 0; i < n.size(); i++) {
        ((ArrayNode) n).set(i, normalize(n.get(i)));
      }
      return n;
    }
    if (n.isTextual()) {
      String t = n.asText();
      t = t.replace(id, "<id>").replace(id.substring(0, 12), "<short-id>");
      t = HEX64.matcher(t).replaceAll("<digest>");
      t = TIME.matcher(t).replaceAll("<time>");
      return TextNode.valueOf(t);
    }
    return n;
  }

  private JsonNode normalizeField(String key, JsonNode v) {
    return switch (key) {
      case "Created",
          "time",
          "timeNano",
          "Pid",
          "SystemTime",
          "NGoroutines",
          "NFd",
          "SizeRw",
          "SizeRootFs",
          "MemTotal",
          "KernelVersion",
          "OperatingSystem",
          "ID",
          "Containers",
          "ContainersRunning",
          "ContainersStopped",
          "Images",
          "Version",
          "GitCommit",
          "BuildTime",
          "GoVersion" ->
          v.isNumber() ? TextNode.valueOf("<number>") : TextNode.valueOf("<text>");
      case "Status" ->
          TextNode.valueOf(v.asText().startsWith("Up ") ? "Up <duration>" : v.asText());
      default -> normalize(v);
    };
  }

  private String get(String path) throws Exception {
    return fe.get(path).body();
  }

  private String send(String method, String path, byte[] body) throws Exception {
    return fe.send(method, path, body).body();
  }
}
