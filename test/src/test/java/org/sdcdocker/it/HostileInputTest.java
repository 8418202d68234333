package org.sdcdocker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.sdcdocker.it.support.FixtureTest;

/**
 * Input made to break the server, family by family: malformed and truncated JSON, wrong types in
 * every field of create, huge headers and bodies, truncated and malicious archives to load, import,
 * build and cp, ids and names with odd bytes. Each gets a 4xx with a message, writes nothing
 * outside the server's own files, leaves no temporary file behind, and the server goes on.
 */
class HostileInputTest extends FixtureTest {
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final Path marker = Path.of("/tmp", "sdc-hostile-" + System.nanoTime());

  record Answer(int status, String body) {}

  private Answer send(String method, String path, String contentType, byte[] body)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(f.server.url() + path))
            .timeout(Duration.ofSeconds(60))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofByteArray(body));
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    return new Answer(r.statusCode(), r.body());
  }

  private Answer json(String method, String path, String body) throws Exception {
    return send(
        method,
        path,
        "application/json",
        body == null ? null : body.getBytes(StandardCharsets.UTF_8));
  }

  /** A 4xx with a message of Docker's shape, no host path in it. */
  private void refused(Answer a, String what) {
    assertThat(a.status).as(what + ": " + a.body).isBetween(400, 499);
    assertThat(a.body)
        .as(what)
        .contains("\"message\"")
        .doesNotContain(f.server.dataRoot().toString())
        .doesNotContain("Exception")
        .doesNotContain("\tat ");
  }

  @AfterEach
  void serverGoesOnAndNothingLeaks() throws Exception {
    assertThat(json("GET", "/_ping", null).body).isEqualTo("OK");
    assertThat(marker).doesNotExist();
    Path root = f.server.dataRoot();
    for (Path scratch :
        List.of(
            root.resolve("frontend/scratch"),
            root.resolve("frontend/blobs/tmp"),
            root.resolve("agent/layers/tmp"))) {
      if (Files.isDirectory(scratch)) {
        try (var s = Files.list(scratch)) {
          assertThat(s.toList()).as("temporary files in " + scratch).isEmpty();
        }
      }
    }
  }

  @Test
  void malformedAndTruncatedJson_everyJsonEndpoint() throws Exception {
    String id = docker.ok("create", image, "true");
    List<String[]> endpoints =
        List.of(
            new String[] {"POST", "/containers/create"},
            new String[] {"POST", "/networks/create"},
            new String[] {"POST", "/volumes/create"},
            new String[] {"POST", "/containers/" + id + "/exec"},
            new String[] {"POST", "/containers/" + id + "/update"},
            new String[] {"POST", "/networks/bridge/connect"},
            new String[] {"POST", "/networks/bridge/disconnect"});
    List<String> bodies =
        List.of(
            "{",
            "{\"Image\":",
            "{\"Image\":\"x\",\"Cmd\":[\"sh\"",
            "[",
            "nonsense",
            "\"\\ud800\"",
            "{\"Image\":\"x\"\u0000}");
    for (String[] e : endpoints) {
      for (String body : bodies) {
        refused(json(e[0], e[1], body), e[1] + " with " + body);
      }
    }
    refused(json("POST", "/volumes/create", null), "volume create without a body");
    assertThat(json("POST", "/volumes/create", null).body)
        .contains("got EOF while reading request body");
    refused(json("POST", "/networks/create", null), "network create without a body");
    docker.ok("rm", id);
  }

  /** Each known field of create with a value of every wrong JSON type. */
  @Test
  void wrongTypesInEveryFieldOfCreate() throws Exception {
    Map<String, String> config =
        Map.ofEntries(
            Map.entry("Hostname", "s"),
            Map.entry("User", "s"),
            Map.entry("Tty", "b"),
            Map.entry("OpenStdin", "b"),
            Map.entry("Env", "as"),
            Map.entry("Cmd", "as"),
            Map.entry("Entrypoint", "as"),
            Map.entry("Image", "s"),
            Map.entry("WorkingDir", "s"),
            Map.entry("Labels", "o"),
            Map.entry("ExposedPorts", "o"),
            Map.entry("Volumes", "o"),
            Map.entry("StopTimeout", "n"),
            Map.entry("Healthcheck", "o"),
            Map.entry("HostConfig", "o"));
    Map<String, String> host =
        Map.ofEntries(
            Map.entry("Binds", "as"),
            Map.entry("Memory", "n"),
            Map.entry("MemorySwap", "n"),
            Map.entry("CpuShares", "n"),
            Map.entry("NanoCpus", "n"),
            Map.entry("PidsLimit", "n"),
            Map.entry("Privileged", "b"),
            Map.entry("ReadonlyRootfs", "b"),
            Map.entry("AutoRemove", "b"),
            Map.entry("NetworkMode", "s"),
            Map.entry("RestartPolicy", "o"),
            Map.entry("PortBindings", "o"),
            Map.entry("Dns", "as"),
            Map.entry("ExtraHosts", "as"),
            Map.entry("Links", "as"),
            Map.entry("VolumesFrom", "as"),
            Map.entry("Mounts", "a"),
            Map.entry("Tmpfs", "o"),
            Map.entry("CapAdd", "as"),
            Map.entry("Sysctls", "o"),
            Map.entry("ShmSize", "n"));
    Map<String, String> wrong =
        Map.of(
            "s",
            "[1,{}]",
            "b",
            "\"yes\"",
            "n",
            "\"lots\"",
            "as",
            "{\"a\":1}",
            "o",
            "\"text\"",
            "a",
            "7");
    int tried = 0;
    for (var e : config.entrySet()) {
      String body =
          "{\"Image\":\"" + image + "\",\"" + e.getKey() + "\":" + wrong.get(e.getValue()) + "}";
      if (e.getKey().equals("Image")) {
        body = "{\"Image\":" + wrong.get("s") + "}";
      }
      Answer a = json("POST", "/containers/create", body);
      refused(a, body);
      assertThat(a.body).as(body).contains("json: cannot unmarshal").contains(e.getKey());
      tried++;
    }
    for (var e : host.entrySet()) {
      String body =
          "{\"Image\":\""
              + image
              + "\",\"HostConfig\":{\""
              + e.getKey()
              + "\":"
              + wrong.get(e.getValue())
              + "}}";
      Answer a = json("POST", "/containers/create", body);
      refused(a, body);
      assertThat(a.body)
          .as(body)
          .contains("json: cannot unmarshal")
          .contains("HostConfig." + e.getKey());
      tried++;
    }
    // and random mixes of them: each a refusal, never a container
    Random rnd = new Random(42);
    List<String> keys = new ArrayList<>(config.keySet());
    keys.remove("Image"); // a text there is a reference, refused as a missing image
    for (int i = 0; i < 40; i++) {
      String k = keys.get(rnd.nextInt(keys.size()));
      String v = new ArrayList<>(wrong.values()).get(rnd.nextInt(wrong.size()));
      String body = "{\"Image\":\"" + image + "\",\"" + k + "\":" + v + "}";
      Answer a = json("POST", "/containers/create", body);
      assertThat(a.status).as(body + " -> " + a.body).isIn(201, 400);
      if (a.status == 201) { // the value happened to fit the field
        docker.ok("rm", "-f", a.body.replaceAll("(?s).*\"Id\":\"([0-9a-f]{64})\".*", "$1"));
      }
    }
    // Go's client sends JSON null for what it leaves empty: that is no error
    Answer nulls =
        json(
            "POST",
            "/containers/create",
            "{\"Image\":\""
                + image
                + "\",\"Cmd\":null,\"Env\":null,"
                + "\"Labels\":null,\"Volumes\":null,\"HostConfig\":{\"Binds\":null,\"PortBindings\":null,\"Mounts\":null,"
                + "\"Tmpfs\":null,\"Dns\":null},\"NetworkingConfig\":{\"EndpointsConfig\":null}}");
    assertThat(nulls.status).as(nulls.body).isEqualTo(201);
    docker.ok("rm", nulls.body.replaceAll("(?s).*\"Id\":\"([0-9a-f]{64})\".*", "$1"));
    assertThat(tried).isEqualTo(config.size() + host.size());
  }

  @Test
  void hugeHeadersAndBodies() throws Exception {
    HttpResponse<String> big =
        http.send(
            HttpRequest.newBuilder(URI.create(f.server.url() + "/version"))
                .header("X-Big", "a".repeat(20_000))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(big.statusCode()).isEqualTo(431);
    assertThat(big.body()).isEqualTo("{\"message\":\"request header fields too large\"}\n");
    // the server ends the connection: it says so, so no client sends its next request on it
    assertThat(big.headers().firstValue("Connection")).hasValue("close");
    byte[] huge =
        ("{\"Image\":\"" + image + "\",\"Env\":[\"" + "x".repeat(4 << 20) + "\"]}").getBytes();
    Answer a = send("POST", "/containers/create", "application/json", huge);
    refused(a, "a 4 MiB create body");
    Answer v =
        send(
            "POST",
            "/volumes/create",
            "application/json",
            ("{\"Name\":\"" + "v".repeat(1 << 17) + "\"}").getBytes());
    refused(v, "a 128 KiB volume body");
  }

  @Test
  void oddBytesInIdsAndNames() throws Exception {
    for (String ref : List.of("%00", "%ff%fe", "..%2F..%2Fetc", "a%0Ab", "%2e%2e", "%E2%80%8B")) {
      refused(json("GET", "/containers/" + ref + "/json", null), "container " + ref);
      refused(json("GET", "/images/" + ref + "/json", null), "image " + ref);
      refused(json("GET", "/networks/" + ref, null), "network " + ref);
      refused(json("GET", "/volumes/" + ref, null), "volume " + ref);
      refused(
          json("POST", "/containers/create?name=" + ref, "{\"Image\":\"" + image + "\"}"),
          "name " + ref);
      refused(
          json(
              "POST",
              "/volumes/create",
              "{\"Name\":\""
                  + URLDecoder.decode(ref.replace("%00", ""), StandardCharsets.ISO_8859_1)
                  + "/x\"}"),
          "volume name " + ref);
    }
  }

  interface Entries {
    void write(TarArchiveOutputStream t) throws IOException;
  }

  private static byte[] tar(Entries e) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (TarArchiveOutputStream t = new TarArchiveOutputStream(out)) {
      t.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      e.write(t);
    }
    return out.toByteArray();
  }

  private static void entry(
      TarArchiveOutputStream t, String name, byte type, String link, byte[] data)
      throws IOException {
    TarArchiveEntry e =
        type == TarArchiveEntry.LF_NORMAL
            ? new TarArchiveEntry(name)
            : new TarArchiveEntry(name, type);
    if (link != null) {
      e.setLinkName(link);
    }
    if (type == TarArchiveEntry.LF_CHR) {
      e.setDevMajor(1);
      e.setDevMinor(3);
    }
    e.setSize(data == null ? 0 : data.length);
    t.putArchiveEntry(e);
    if (data != null) {
      t.write(data);
    }
    t.closeArchiveEntry();
  }

  /** The malicious archives: each tries to reach {@code marker}, outside any root. */
  private List<byte[]> maliciousArchives() throws IOException {
    String rel = "../../../../../../../.." + marker;
    byte[] x = "x".getBytes();
    List<byte[]> all = new ArrayList<>();
    all.add(tar(t -> entry(t, rel, TarArchiveEntry.LF_NORMAL, null, x)));
    all.add(tar(t -> entry(t, marker.toString(), TarArchiveEntry.LF_NORMAL, null, x)));
    all.add(
        tar(
            t -> {
              entry(t, "tmp", TarArchiveEntry.LF_SYMLINK, "/tmp", null);
              entry(t, "tmp/" + marker.getFileName(), TarArchiveEntry.LF_NORMAL, null, x);
            }));
    all.add(
        tar(
            t -> {
              entry(t, "up", TarArchiveEntry.LF_SYMLINK, "../../../../../../../../tmp", null);
              entry(t, "up/" + marker.getFileName(), TarArchiveEntry.LF_NORMAL, null, x);
            }));
    all.add(tar(t -> entry(t, "hard", TarArchiveEntry.LF_LINK, rel, null)));
    all.add(tar(t -> entry(t, "dev/evil", TarArchiveEntry.LF_CHR, null, null)));
    byte[] ok =
        tar(t -> entry(t, "file", TarArchiveEntry.LF_NORMAL, null, "x".repeat(3000).getBytes()));
    all.add(Arrays.copyOf(ok, 700)); // truncated in its data
    all.add(Arrays.copyOf(ok, 300)); // truncated in its header
    all.add("not a tar at all, not even close".repeat(40).getBytes());
    return all;
  }

  @Test
  void maliciousArchives_toLoadImportBuildAndCp() throws Exception {
    String c = docker.ok("run", "-d", image, "sleep", "300");
    int i = 0;
    for (byte[] archive : maliciousArchives()) {
      i++;
      Answer load = send("POST", "/images/load", "application/x-tar", archive);
      if (load.status == 200) { // as Docker's: the archive's fault is the JSON stream's error
        assertThat(load.body)
            .as("load #" + i)
            .contains("errorDetail")
            .doesNotContain(f.server.dataRoot().toString());
      } else {
        refused(load, "load #" + i);
      }

      Answer imp =
          send(
              "POST",
              "/images/create?fromSrc=-&repo=local/hostile&tag=" + i,
              "application/x-tar",
              archive);
      if (imp.status
          == 200) { // an import stores the archive as a layer: it is refused when a container needs
        // it
        assertThat(imp.body).as("import #" + i).contains("sha256:");
        Answer create =
            json(
                "POST",
                "/containers/create",
                "{\"Image\":\"local/hostile:" + i + "\",\"Cmd\":[\"x\"]}");
        if (create.status == 201) {
          String id = create.body.replaceAll("(?s).*\"Id\":\"([0-9a-f]{64})\".*", "$1");
          json("DELETE", "/containers/" + id + "?force=1", null);
        } else {
          refused(create, "create from import #" + i);
        }
        json("DELETE", "/images/local/hostile:" + i + "?force=1", null);
      } else {
        refused(imp, "import #" + i);
      }

      Answer build =
          send("POST", "/build?t=local/hostile-build:" + i, "application/x-tar", archive);
      if (build.status == 200) { // a build streams: its error is the stream's last message
        assertThat(build.body)
            .as("build #" + i)
            .contains("error")
            .doesNotContain(f.server.dataRoot().toString());
      } else {
        refused(build, "build #" + i);
      }

      Answer cp =
          send("PUT", "/containers/" + c + "/archive?path=/tmp", "application/x-tar", archive);
      assertThat(cp.status).as("cp #" + i + ": " + cp.body).isIn(200, 400);
      assertThat(cp.body).doesNotContain(f.server.dataRoot().toString());
    }
    docker.ok("rm", "-f", c);
  }

  /**
   * A context's link to the host's /etc: COPY through it, or an entry through it, never reads or
   * writes there.
   */
  @Test
  void buildContext_linksOutOfIt_areNeverFollowed() throws Exception {
    byte[] copyThrough =
        tar(
            t -> {
              entry(
                  t,
                  "Dockerfile",
                  TarArchiveEntry.LF_NORMAL,
                  null,
                  ("FROM " + image + "\nCOPY sub/passwd /stolen\n").getBytes());
              entry(t, "sub", TarArchiveEntry.LF_SYMLINK, "/etc", null);
            });
    Answer a = send("POST", "/build?t=local/hostile-copy", "application/x-tar", copyThrough);
    assertThat(a.body)
        .contains("forbidden path outside the build context")
        .doesNotContain("root:x:0:0");
    assertThat(docker.run("image", "inspect", "local/hostile-copy").exitCode()).isNotZero();
    byte[] linkToHost =
        tar(
            t -> {
              entry(
                  t,
                  "Dockerfile",
                  TarArchiveEntry.LF_NORMAL,
                  null,
                  ("FROM " + image + "\nCOPY shadow /stolen\n").getBytes());
              entry(t, "shadow", TarArchiveEntry.LF_LINK, "../../../../../../etc/passwd", null);
            });
    Answer link = send("POST", "/build?t=local/hostile-link", "application/x-tar", linkToHost);
    assertThat(link.body)
        .contains("the build context has an entry outside it")
        .doesNotContain("root:x:0:0");
    assertThat(docker.run("image", "inspect", "local/hostile-link").exitCode()).isNotZero();
  }
}
