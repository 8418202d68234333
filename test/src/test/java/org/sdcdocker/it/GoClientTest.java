package org.sdcdocker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.sdcdocker.it.support.FixtureTest;

/**
 * What Go's Docker client (moby's {@code client} package, as Go tools and compose use it) sends,
 * raw: JSON {@code null} for empty maps and lists, empty bodies, its query parameters. Each answer
 * is Docker's status and words.
 */
class GoClientTest extends FixtureTest {
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  record Answer(int status, String body) {}

  private Answer send(String method, String path, String json) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(f.server.url() + "/v1.41" + path))
            .header("User-Agent", "Go-http-client/1.1")
            .timeout(Duration.ofSeconds(60))
            .method(
                method,
                json == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(json));
    if (json != null) {
      b.header("Content-Type", "application/json");
    }
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    return new Answer(r.statusCode(), r.body());
  }

  /**
   * A create of the image with these more fields ({@code "Env":[...]}), as a Go client sends it.
   */
  private Answer createWith(String fields) throws Exception {
    return send("POST", "/containers/create", "{\"Image\":\"" + image + "\"," + fields + "}");
  }

  private String create(String extra) throws Exception {
    Answer a = createWith("\"Cmd\":[\"sleep\",\"300\"]" + extra);
    assertThat(a.status).as(a.body).isEqualTo(201);
    return a.body.replaceAll("(?s).*\"Id\":\"([0-9a-f]{64})\".*", "$1");
  }

  @Test
  void createRefusals_inDockersWords() throws Exception {
    Answer env = createWith("\"Env\":[\"=oops\"]");
    assertThat(env.status).isEqualTo(400);
    assertThat(env.body).contains("invalid environment variable: =oops");
    Answer timeout = createWith("\"Healthcheck\":{\"Test\":[\"CMD\",\"true\"],\"Timeout\":1}");
    assertThat(timeout.body).contains("Timeout in Healthcheck cannot be less than 1ms");
    Answer retries = createWith("\"Healthcheck\":{\"Test\":[\"CMD\",\"true\"],\"Retries\":-1}");
    assertThat(retries.body).contains("Retries in Healthcheck cannot be negative");
    Answer link = createWith("\"HostConfig\":{\"Links\":[\"nosuch:alias\"]}");
    assertThat(link.status).isEqualTo(400);
    assertThat(link.body).contains("could not get container for nosuch");
    Answer masked = createWith("\"HostConfig\":{\"MaskedPaths\":[]}");
    assertThat(masked.status).isEqualTo(400);
    assertThat(masked.body).contains("masked");
  }

  @Test
  void healthIsStartingFromCreation_andCpOfAFileWithASlashIsNotADirectory() throws Exception {
    String id = create(",\"Healthcheck\":{\"Test\":[\"CMD\",\"true\"],\"Interval\":60000000000}");
    assertThat(send("GET", "/containers/" + id + "/json", null).body)
        .contains("\"Health\":{")
        .contains("\"Status\":\"starting\"");
    assertThat(send("POST", "/containers/" + id + "/start", null).status).isEqualTo(204);
    Answer slash = send("HEAD", "/containers/" + id + "/archive?path=/etc/hostname/", null);
    assertThat(slash.status).isEqualTo(400);
    Answer dir = send("HEAD", "/containers/" + id + "/archive?path=/etc/", null);
    assertThat(dir.status).isEqualTo(200);
    assertThat(send("DELETE", "/containers/" + id + "?force=1", null).status).isEqualTo(204);
  }

  @Test
  void tags_areReferencesAndTheHubHasItsLegacyName() throws Exception {
    Answer noRepo = send("POST", "/images/" + image + "/tag", null);
    assertThat(noRepo.status).isEqualTo(400);
    assertThat(noRepo.body).contains("invalid reference format");
    Answer bad = send("POST", "/images/" + image + "/tag?repo=Not%20A%20Repo", null);
    assertThat(bad.status).isEqualTo(400);
    assertThat(
            send("POST", "/images/" + image + "/tag?repo=index.docker.io/library/gotag&tag=1", null)
                .status)
        .isEqualTo(201);
    assertThat(send("GET", "/images/gotag:1/json", null).status).isEqualTo(200);
    assertThat(send("GET", "/images/docker.io/gotag:1/json", null).status).isEqualTo(200);
    assertThat(send("DELETE", "/images/gotag:1", null).status).isEqualTo(200);
  }

  @Test
  void commitsConfig_isMergedOverTheContainers() throws Exception {
    String id = create(",\"Env\":[\"FOO=bar\",\"X=0\"]");
    Answer c =
        send(
            "POST",
            "/commit?container=" + id + "&repo=local/gocommit&tag=1",
            "{\"Env\":[\"X=1\"],\"Labels\":{\"k\":\"v\"}}");
    assertThat(c.status).as(c.body).isEqualTo(201);
    String env =
        docker.ok(
            "inspect", "-f", "{{json .Config.Env}} {{json .Config.Labels}}", "local/gocommit:1");
    assertThat(env)
        .contains("\"X=1\"")
        .contains("\"FOO=bar\"")
        .doesNotContain("X=0")
        .contains("\"k\":\"v\"");
    assertThat(send("DELETE", "/containers/" + id + "?force=1", null).status).isEqualTo(204);
    assertThat(send("DELETE", "/images/local/gocommit:1", null).status).isEqualTo(200);
  }

  @Test
  void nullsAndEmptyBodies() throws Exception {
    Answer volume = send("POST", "/volumes/create", null);
    assertThat(volume.status).isEqualTo(400);
    assertThat(volume.body).contains("got EOF while reading request body");
    Answer connect = send("POST", "/networks/bridge/connect", "{\"Container\":");
    assertThat(connect.status).isEqualTo(400);
    HttpResponse<String> build =
        http.send(
            HttpRequest.newBuilder(
                    URI.create(
                        f.server.url()
                            + "/v1.41/build?buildargs=null&labels=null&cachefrom=null&t=local/gobuild"))
                .header("Content-Type", "application/x-tar")
                .header("X-Registry-Config", "bnVsbA==")
                .POST(HttpRequest.BodyPublishers.ofByteArray(dockerfileTar("FROM " + image + "\n")))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(build.statusCode()).as(build.body()).isEqualTo(200);
    assertThat(build.body()).contains("Successfully built").doesNotContain("errorDetail");
    assertThat(send("DELETE", "/images/local/gobuild", null).status).isEqualTo(200);
  }

  private static byte[] dockerfileTar(String dockerfile) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (var tar = new TarArchiveOutputStream(out)) {
      byte[] b = dockerfile.getBytes(StandardCharsets.UTF_8);
      var e = new TarArchiveEntry("Dockerfile");
      e.setSize(b.length);
      tar.putArchiveEntry(e);
      tar.write(b);
      tar.closeArchiveEntry();
    }
    return out.toByteArray();
  }
}
