package org.sdcdocker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sdcdocker.it.support.DockerCli.Result;
import org.sdcdocker.it.support.FixtureTest;
import org.sdcdocker.it.support.LocalRegistry;

/**
 * docker push to a registry v2 (blob mounts, existing blobs, auth), checked independently with
 * skopeo, then pulled back by digest and with -a.
 */
class PushTest extends FixtureTest {
  /** Contexts and archives of the tests, removed with the class. */
  @TempDir Path scratch;

  private LocalRegistry authRegistry;

  @AfterAll
  void stopAuthRegistry() {
    if (authRegistry != null) {
      authRegistry.close();
    }
  }

  @Test
  void pushABuiltImage_skopeoReadsIt_andItPullsBackByDigest() throws Exception {
    String host = f.registry.host();
    Path ctx = Files.createTempDirectory(scratch, "ctx");
    Files.writeString(
        ctx.resolve("Dockerfile"),
        "FROM " + image + "\nRUN echo pushed > /pushed.txt\n" + "CMD [\"cat\", \"/pushed.txt\"]\n");
    String ref = host + "/x/pushed:v1";
    docker.ok("build", "-q", "-t", ref, ctx.toString());
    Result push = docker.run(120, "push", ref);
    assertThat(push.exitCode()).as(push.all()).isZero();
    assertThat(push.out())
        .contains(
            "The push refers to repository [" + host + "/x/pushed]",
            "Mounted from x/busybox",
            "Pushed",
            "v1: digest: sha256:");
    String digest = push.out().replaceAll("(?s).*v1: digest: (sha256:[0-9a-f]{64}).*", "$1");

    String inspected =
        skopeo(
            "inspect",
            "--tls-verify=false",
            "--format",
            "{{.Digest}} {{len .Layers}}",
            "docker://" + ref);
    assertThat(inspected).isEqualTo(digest + " 2");
    Path copy = Files.createTempDirectory(scratch, "skopeo");
    skopeo(
        "copy",
        "--src-tls-verify=false",
        "docker://" + ref,
        "dir:" + copy); // verifies every blob's digest
    assertThat(Files.exists(copy.resolve("manifest.json"))).isTrue();
    try (var files = Files.walk(copy)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }

    Path oci = Files.createTempFile(scratch, "oci", ".tar");
    Files.delete(oci);
    skopeo(
        "copy",
        "--src-tls-verify=false",
        "docker://" + ref,
        "oci-archive:" + oci + ":" + host + "/x/oci:1");
    Result loaded = docker.run(120, "load", "-i", oci.toString());
    Files.deleteIfExists(oci);
    assertThat(loaded.out()).as(loaded.all()).contains("Loaded image: " + host + "/x/oci:1");
    assertThat(docker.ok("run", "--rm", host + "/x/oci:1")).isEqualTo("pushed");
    docker.ok("rmi", host + "/x/oci:1");

    Result again = docker.run(120, "push", ref);
    assertThat(again.out()).contains("Layer already exists").doesNotContain("Pushed");

    docker.ok("rmi", ref);
    String byDigest = host + "/x/pushed@" + digest;
    docker.ok("pull", byDigest);
    assertThat(docker.ok("run", "--rm", byDigest)).isEqualTo("pushed");
    assertThat(
            docker.ok(
                "images",
                "--digests",
                "--format",
                "{{.Repository}} {{.Tag}} {{.Digest}}",
                host + "/x/pushed"))
        .isEqualTo(host + "/x/pushed <none> " + digest);
    docker.ok("rmi", byDigest);

    docker.ok("tag", image, host + "/x/multi:one");
    docker.ok("tag", image, host + "/x/multi:two");
    Result all = docker.run(120, "push", "-a", host + "/x/multi");
    assertThat(all.exitCode()).as(all.all()).isZero();
    assertThat(all.out()).contains("one: digest:", "two: digest:");
    docker.ok("rmi", host + "/x/multi:one", host + "/x/multi:two");
    Result pullAll = docker.run(120, "pull", "-a", host + "/x/multi");
    assertThat(pullAll.exitCode()).as(pullAll.all()).isZero();
    assertThat(
            docker
                .ok("images", "--format", "{{.Tag}}", host + "/x/multi")
                .lines()
                .sorted()
                .toList())
        .isEqualTo(List.of("one", "two"));
    docker.ok("rmi", host + "/x/multi:one", host + "/x/multi:two");
    assertThat(docker.ok("search", "--format", "{{.Name}}", host + "/multi"))
        .isEqualTo(host + "/x/multi");
    assertThat(
            docker
                .ok("search", "--format", "{{.Name}}", "--limit", "100", host + "/x/")
                .lines()
                .sorted()
                .toList())
        .contains(host + "/x/busybox", host + "/x/multi", host + "/x/pushed");
    assertThat(docker.run("push", host + "/x/nothing:here").err())
        .contains("An image does not exist locally with the tag: " + host + "/x/nothing");
  }

  @Test
  void pushOverTheApi_reportsProgressAsDocker() throws Exception {
    String ref = f.registry.host() + "/x/progress";
    Path ctx = Files.createTempDirectory(scratch, "ctx");
    Files.writeString(
        ctx.resolve("Dockerfile"), "FROM " + image + "\nRUN seq 1 200000 > /numbers.txt\n");
    docker.ok("build", "-q", "-t", ref + ":1", ctx.toString());
    var http = HttpClient.newHttpClient();
    var resp =
        http.send(
            HttpRequest.newBuilder(URI.create(f.server.url() + "/images/" + ref + "/push?tag=1"))
                .header("X-Registry-Auth", "e30=")
                .POST(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(resp.statusCode()).isEqualTo(200);
    assertThat(resp.body())
        .contains(
            "\"status\":\"Preparing\"",
            "\"status\":\"Pushing\"",
            "\"current\":",
            "\"progress\":\"[",
            "\"status\":\"Pushed\"",
            "\"aux\":{\"Tag\":\"1\",\"Digest\":\"sha256:");
    docker.ok("rmi", ref + ":1");
  }

  @Test
  void zstdLayers_pullRunSaveAndLoad() throws Exception {
    String host = f.registry.host();
    String zstd = host + "/x/zstd:1";
    skopeo(
        "copy",
        "--src-tls-verify=false",
        "--dest-tls-verify=false",
        "--format",
        "oci",
        "--dest-compress-format",
        "zstd",
        "docker://" + image + ":latest",
        "docker://" + zstd);
    assertThat(skopeo("inspect", "--tls-verify=false", "--raw", "docker://" + zstd))
        .contains("tar+zstd");
    Result pull = docker.run(120, "pull", zstd);
    assertThat(pull.exitCode()).as(pull.all()).isZero();
    assertThat(docker.ok("run", "--rm", zstd, "echo", "from zstd")).isEqualTo("from zstd");
    Path saved = Files.createTempFile(scratch, "zstd", ".tar");
    try {
      docker.ok("save", "-o", saved.toString(), zstd); // Docker's archive holds plain tars
      docker.ok("rmi", zstd);
      assertThat(docker.ok("load", "-i", saved.toString())).contains("Loaded image: " + zstd);
      assertThat(docker.ok("run", "--rm", zstd, "echo", "loaded")).isEqualTo("loaded");
    } finally {
      Files.deleteIfExists(saved);
    }
    docker.ok("rmi", zstd);
  }

  @Test
  void pushToARegistryWithAuth_needsLogin() throws Exception {
    authRegistry = LocalRegistry.start("bob", "pa55");
    String ref = authRegistry.host() + "/team/busybox:1";
    docker.ok("tag", image, ref);
    Result denied = docker.run(120, "push", ref);
    assertThat(denied.exitCode()).isNotZero();
    assertThat(denied.all()).contains("denied");
    docker.runWithInput(60, "pa55", "login", "-u", "bob", "--password-stdin", authRegistry.host());
    Result ok = docker.run(120, "push", ref);
    assertThat(ok.exitCode()).as(ok.all()).isZero();
    assertThat(ok.out()).contains("Pushed", "1: digest: sha256:");
    assertThat(
            skopeo(
                "inspect",
                "--tls-verify=false",
                "--creds",
                "bob:pa55",
                "--format",
                "{{.Digest}}",
                "docker://" + ref))
        .startsWith("sha256:");
    docker.ok("logout", authRegistry.host());
    docker.ok("rmi", ref);
  }

  private static String skopeo(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("skopeo"));
    cmd.addAll(List.of(args));
    Path out = Files.createTempFile("skopeo", ".txt");
    try {
      Process p =
          new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("skopeo did not finish in 60 s");
      }
      String text = Files.readString(out).trim();
      assertThat(p.exitValue()).as(text).isZero();
      return text;
    } finally {
      Files.deleteIfExists(out);
    }
  }
}
