package org.sdcdocker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Base64;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.sdcdocker.it.support.DockerCli;
import org.sdcdocker.it.support.DockerCli.Result;
import org.sdcdocker.it.support.Fixture;
import org.sdcdocker.it.support.LocalRegistry;
import org.sdcdocker.it.support.SdcServer;
import org.sdcdocker.it.support.TestImages;

/** Pulls and logins with the real docker CLI: progress, auth, indexes and platforms. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PullTest {
  private Fixture fixture;
  private LocalRegistry registry;
  private LocalRegistry authRegistry;
  private SdcServer server;
  private DockerCli docker;
  private String image;
  private String indexDigest;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  void start() throws Exception {
    fixture = Fixture.start();
    registry = fixture.registry;
    server = fixture.server;
    docker = fixture.docker;
    image = fixture.image;
    byte[] layer = TestImages.busyboxLayer();
    TestImages.push(registry, "x/busybox", "unpulled", layer, null, null);
    TestImages.push(registry, "x/busybox", "run-pulls", layer, null, null);
    indexDigest = TestImages.pushIndex(registry, "x/multi", "latest", layer);
    authRegistry = LocalRegistry.start("alice", "s3cret");
    TestImages.push(authRegistry, "private/busybox", "latest", layer, "alice", "s3cret");
  }

  @AfterAll
  void stop() throws Exception {
    try {
      if (fixture != null) {
        fixture.close();
      }
    } finally {
      if (authRegistry != null) {
        authRegistry.close();
      }
    }
  }

  @Test
  void pull_reportsProgressAndStoresTheImage() throws Exception {
    Result r = docker.run("pull", registry.host() + "/x/busybox:latest");
    assertThat(r.exitCode()).as(r.all()).isZero();
    assertThat(r.out())
        .contains(
            "latest: Pulling from x/busybox",
            "Digest: sha256:",
            "Status: Image is up to date for " + image + ":latest");
    Result fresh = docker.run("pull", registry.host() + "/x/busybox:unpulled");
    assertThat(fresh.out())
        .as(fresh.all())
        .contains("Already exists", "Status: Downloaded newer image for");
    String images = docker.ok("images", "--format", "{{.Repository}}:{{.Tag}}");
    assertThat(images).contains(image + ":latest");
    String id = docker.ok("image", "inspect", "-f", "{{.Id}}", image);
    assertThat(id).startsWith("sha256:");
  }

  @Test
  void runOfAnImageNotPulled_pullsItFirst() throws Exception {
    Result r =
        docker.run("run", "--rm", registry.host() + "/x/busybox:run-pulls", "echo", "pulled");
    assertThat(r.exitCode()).as(r.all()).isZero();
    assertThat(r.out()).endsWith("pulled\n");
    assertThat(r.err())
        .contains("Unable to find image '" + registry.host() + "/x/busybox:run-pulls' locally");
  }

  @Test
  void login_checksTheCredentialsWithTheRegistry_andPullUsesThem() throws Exception {
    String host = authRegistry.host();
    DockerCli.Result wrong =
        docker.runWithInput(60, "nope", "login", "-u", "alice", "--password-stdin", host);
    assertThat(wrong.exitCode()).isNotZero();
    assertThat(wrong.err())
        .contains("login attempt to http://" + host + "/v2/ failed with status: 401 Unauthorized");
    DockerCli.Result ok =
        docker.runWithInput(60, "s3cret", "login", "-u", "alice", "--password-stdin", host);
    assertThat(ok.out()).contains("Login Succeeded");
    docker.ok("pull", host + "/private/busybox");
    docker.ok("logout", host); // the client forgets them: nothing is kept on the server
  }

  @Test
  void pull_withBasicAuth() throws Exception {
    String ref = authRegistry.host() + "/private/busybox";
    HttpResponse<String> denied =
        http.send(
            HttpRequest.newBuilder(
                    URI.create(server.url() + "/images/create?fromImage=" + ref + "&tag=latest"))
                .POST(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(denied.statusCode()).isEqualTo(401);
    assertThat(denied.body()).contains("pull access denied for " + ref);
    String auth =
        Base64.getUrlEncoder()
            .encodeToString("{\"username\":\"alice\",\"password\":\"s3cret\"}".getBytes());
    HttpResponse<String> ok =
        http.send(
            HttpRequest.newBuilder(
                    URI.create(server.url() + "/images/create?fromImage=" + ref + "&tag=latest"))
                .header("X-Registry-Auth", auth)
                .POST(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(ok.body()).contains("Status: Downloaded newer image for " + ref + ":latest");
    assertThat(docker.ok("run", "--rm", ref, "echo", "private")).isEqualTo("private");
  }

  @Test
  void pull_ofAnOciIndex_choosesThisPlatform() throws Exception {
    String ref = registry.host() + "/x/multi";
    Result r = docker.run("pull", ref);
    assertThat(r.exitCode()).as(r.all()).isZero();
    assertThat(r.out()).contains("Digest: " + indexDigest);
    assertThat(docker.ok("run", "--rm", ref)).isEqualTo("amd64");
    assertThat(docker.ok("image", "inspect", "-f", "{{.Architecture}} {{json .RepoDigests}}", ref))
        .isEqualTo("amd64 [\"" + ref + "@" + indexDigest + "\"]");
    assertThat(docker.ok("run", "--rm", ref + "@" + indexDigest, "echo", "by-digest"))
        .isEqualTo("by-digest");

    String arm = registry.host() + "/x/multi:latest";
    Result other = docker.run("pull", "--platform", "linux/arm64", arm);
    assertThat(other.exitCode()).as(other.all()).isZero();
    assertThat(docker.ok("image", "inspect", "-f", "{{.Architecture}}", arm)).isEqualTo("arm64");
    assertThat(docker.run("pull", "--platform", "linux/s390x", arm).err())
        .contains("no matching manifest for linux/s390x in the manifest list entries");
    docker.ok("pull", arm); // back to this machine's
    assertThat(docker.run("pull", "--platform", "linux/arm64", image).err())
        .contains(
            "image with reference "
                + image
                + ":latest was found but does not match the specified platform: wanted linux/arm64, actual: "
                + "linux/amd64");

    // create's platform: the image must be of it, as Docker's create checks
    assertThat(createWithPlatform(arm, "linux/x86_64").statusCode()).isEqualTo(201);
    HttpResponse<String> wrong = createWithPlatform(image, "linux/arm64");
    assertThat(wrong.statusCode()).isEqualTo(404);
    assertThat(wrong.body())
        .contains(
            "image with reference "
                + image
                + " was found but does not match the "
                + "specified platform: wanted linux/arm64, actual: linux/amd64");
    HttpResponse<String> bad = createWithPlatform(image, "linux/nosuch");
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.body())
        .contains("\\\"linux/nosuch\\\": unknown operating system or architecture");
    assertThat(createWithPlatform(image, "amd64").statusCode()).isEqualTo(201);
    docker.ok("rm", "pf-1", "pf-2");
  }

  private int platformCreates;

  private HttpResponse<String> createWithPlatform(String ref, String platform) throws Exception {
    String name = "pf-" + (platformCreates + 1);
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(
                    URI.create(
                        server.url() + "/containers/create?name=" + name + "&platform=" + platform))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"Image\":\"" + ref + "\"}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() == 201) {
      platformCreates++;
    }
    return r;
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(server.url() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
