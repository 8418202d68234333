package org.sdcdocker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.sdcdocker.it.support.DockerCli;
import org.sdcdocker.it.support.DockerCli.Result;
import org.sdcdocker.it.support.Fixture;
import org.sdcdocker.it.support.LocalRegistry;
import org.sdcdocker.it.support.SdcServer;

/**
 * A container's life with the real docker CLI: run, exit codes, env, names, logs, stop, ps, rm,
 * inspect, errors.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ContainerCliTest {
  private Fixture fixture;
  private LocalRegistry registry;
  private SdcServer server;
  private DockerCli docker;
  private String image;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  void start() throws Exception {
    fixture = Fixture.start();
    registry = fixture.registry;
    server = fixture.server;
    docker = fixture.docker;
    image = fixture.image;
  }

  @AfterAll
  void stop() throws Exception {
    if (fixture != null) {
      fixture.close();
    }
  }

  @Test
  void runRm_printsOutputAndReturnsExitCode() throws Exception {
    Result r = docker.run("run", "--rm", "--name", "rm-me", image, "sh", "-c", "echo hi; exit 3");
    assertThat(r.exitCode()).as(r.all()).isEqualTo(3);
    assertThat(r.out()).isEqualTo("hi\n");
    assertThat(docker.ok("ps", "-a", "--filter", "name=rm-me", "-q")).isEmpty();
    assertThat(docker.run("run", "--rm", image, "true").exitCode()).isZero();
  }

  @Test
  void waitAfterAnAutoRemove_stillGetsTheExitCode() throws Exception {
    // docker-py's run waits after its start, by which time --rm may have removed the container
    String id = docker.ok("run", "-d", "--rm", image, "sh", "-c", "exit 3").trim();
    for (int i = 0; i < 100 && docker.run("inspect", id).exitCode() == 0; i++) {
      Thread.sleep(50);
    }
    assertThat(docker.run("inspect", id).exitCode()).isEqualTo(1);
    assertThat(docker.ok("wait", id)).isEqualTo("3");
    // by full id only: a name or a prefix of a removed container names nothing
    assertThat(docker.run("wait", id.substring(0, 12)).exitCode()).isEqualTo(1);
  }

  @Test
  void missingAndNonExecutableCommands_exitAsDocker() throws Exception {
    Result missing = docker.run("run", "--rm", image, "nosuch");
    assertThat(missing.exitCode()).as(missing.all()).isEqualTo(127);
    assertThat(missing.err()).contains("exec: \"nosuch\": executable file not found in $PATH");
    Result noexec = docker.run("run", "--rm", image, "/bin/noexec");
    assertThat(noexec.exitCode()).as(noexec.all()).isEqualTo(126);
    assertThat(noexec.err()).contains("permission denied");
    // as with Docker, the start failed: the container stays created, with the code and the reason
    String id = docker.ok("create", image, "nosuch");
    Result start = docker.run("start", id);
    assertThat(start.err()).contains("executable file not found in $PATH");
    assertThat(
            docker.ok(
                "inspect", "-f", "{{.State.Status}} {{.State.ExitCode}} {{.State.Error}}", id))
        .isEqualTo("created 127 exec: \"nosuch\": executable file not found in $PATH");
    assertThat(docker.ok("logs", id)).isEmpty();
    Result user = docker.run("run", "--rm", "-u", "nobody2", image, "true");
    assertThat(user.exitCode()).isEqualTo(125);
    assertThat(user.err())
        .contains("unable to find user nobody2: no matching entries in passwd file");
    docker.ok("rm", id);
  }

  @Test
  void killMinus9_exits137() throws Exception {
    String id = docker.ok("run", "-d", image, "sleep", "300");
    String pid = docker.ok("inspect", "-f", "{{.State.Pid}}", id);
    assertThat(Integer.parseInt(pid)).isPositive();
    Process kill = new ProcessBuilder("kill", "-9", pid).start();
    assertThat(kill.waitFor()).isZero();
    assertThat(docker.ok("wait", id)).isEqualTo("137");
    assertThat(docker.ok("inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", id))
        .isEqualTo("exited 137");
    assertThat(docker.ok("ps", "-a", "--filter", "id=" + id, "--format", "{{.Status}}"))
        .startsWith("Exited (137)");
    String viaCli = docker.ok("run", "-d", image, "sleep", "300");
    docker.ok("kill", "-s", "KILL", viaCli);
    assertThat(docker.ok("wait", viaCli)).isEqualTo("137");
    docker.ok("rm", id, viaCli);
  }

  @Test
  void envWorkdirAndUser_reachTheCommand() throws Exception {
    String out =
        docker.ok(
            "run",
            "--rm",
            "-e",
            "FOO=bar baz",
            "-w",
            "/srv/new",
            "-u",
            "app",
            image,
            "sh",
            "-c",
            "echo \"$FOO|$(pwd)|$(id -u):$(id -g)|$HOME|$HOSTNAME\"");
    assertThat(out).matches("bar baz\\|/srv/new\\|1000:1000\\|/home/app\\|[0-9a-f]{12}");
    assertThat(docker.ok("run", "--rm", "-u", "1000:50", image, "id"))
        .isEqualTo("uid=1000(app) gid=50(staff) groups=50(staff)");
    assertThat(docker.ok("run", "--rm", "-u", "4242", image, "id", "-u")).isEqualTo("4242");
    assertThat(docker.ok("run", "--rm", image, "sh", "-c", "echo $$")).isEqualTo("1");
  }

  @Test
  void nameConflict_isRefusedAsDocker() throws Exception {
    String id = docker.ok("run", "-d", "--name", "taken", image, "sleep", "300");
    Result r = docker.run("run", "-d", "--name", "taken", image, "true");
    assertThat(r.exitCode()).isEqualTo(125);
    assertThat(r.err())
        .contains(
            "Conflict. The container name \"/taken\" is already in use by container \""
                + id
                + "\"");
    docker.ok("rm", "-f", "taken");
    assertThat(docker.ok("ps", "-a", "-q", "--filter", "name=taken")).isEmpty();
  }

  @Test
  void logs_keepStderrApart() throws Exception {
    String id =
        docker.ok(
            "run",
            "-d",
            image,
            "sh",
            "-c",
            "echo one; sleep 0.1; echo two >&2; sleep 0.1; echo three");
    docker.ok("wait", id);
    Result all = docker.run("logs", id);
    assertThat(all.out()).isEqualTo("one\nthree\n");
    assertThat(all.err()).isEqualTo("two\n");
    assertThat(docker.run("logs", "--tail", "1", id).out()).isEqualTo("three\n");
    assertThat(docker.run("logs", "--details", "--tail", "1", id).out()).isEqualTo(" three\n");
    String labelled =
        docker.ok(
            "run",
            "-d",
            "--label",
            "team=a",
            "-e",
            "REGION=eu",
            "--log-opt",
            "labels=team",
            "--log-opt",
            "env=REGION",
            image,
            "echo",
            "hi");
    docker.ok("wait", labelled);
    assertThat(docker.run("logs", "--details", labelled).out()).isEqualTo("REGION=eu,team=a hi\n");
    docker.ok("rm", labelled);
    assertThat(docker.run("logs", "--timestamps", id).out())
        .matches("(?s)\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d+Z one\n\\S+ three\n");
    String follow =
        docker.ok("run", "-d", image, "sh", "-c", "for i in 1 2 3; do echo $i; sleep 0.2; done");
    assertThat(docker.run("logs", "-f", follow).out()).isEqualTo("1\n2\n3\n");
    docker.ok("rm", id, follow);
  }

  @Test
  void logs_toTheCliInMergedFrames_toOtherClientsOneFramePerLine() throws Exception {
    String id =
        docker.ok(
            "run",
            "-d",
            image,
            "sh",
            "-c",
            "i=0; while [ $i -lt 2000 ]; do i=$((i+1)); echo o$i; echo e$i >&2; [ $((i % 3)) = 0 ] && echo x$i; done");
    docker.ok("wait", id);
    StringBuilder out = new StringBuilder();
    StringBuilder err = new StringBuilder();
    for (int i = 1; i <= 2000; i++) {
      out.append('o').append(i).append('\n').append(i % 3 == 0 ? "x" + i + "\n" : "");
      err.append('e').append(i).append('\n');
    }
    Result cli = docker.run("logs", id);
    assertThat(cli.out()).isEqualTo(out.toString());
    assertThat(cli.err()).isEqualTo(err.toString());
    // a client that is not the docker CLI gets Docker's framing: one frame per line, in order
    HttpResponse<byte[]> raw =
        http.send(
            HttpRequest.newBuilder(
                    URI.create(server.url() + "/containers/" + id + "/logs?stdout=1&stderr=1"))
                .header("User-Agent", "docker-sdk-python/7.1.0")
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());
    ByteBuffer b = ByteBuffer.wrap(raw.body());
    StringBuilder rawOut = new StringBuilder();
    StringBuilder rawErr = new StringBuilder();
    int frames = 0;
    while (b.remaining() >= 8) {
      int stream = b.get();
      b.position(b.position() + 3);
      byte[] payload = new byte[b.getInt()];
      b.get(payload);
      String line = new String(payload);
      assertThat(line).endsWith("\n").hasLineCount(1);
      assertThat(stream).isEqualTo(line.startsWith("e") ? 2 : 1);
      (stream == 2 ? rawErr : rawOut).append(line);
      frames++;
    }
    assertThat(frames).isEqualTo(4000 + 666);
    assertThat(rawOut.toString())
        .isEqualTo(out.toString()); // the order across the two streams is conmon's
    assertThat(rawErr.toString()).isEqualTo(err.toString());
    docker.ok("rm", id);
  }

  @Test
  void logsSince_leavesOutEarlierLines() throws Exception {
    String id = docker.ok("run", "-d", image, "sh", "-c", "echo early; sleep 2; echo late");
    docker.ok("wait", id);
    String finished = docker.ok("inspect", "-f", "{{.State.FinishedAt}}", id);
    Instant cut = Instant.parse(finished).minusMillis(1000);
    assertThat(docker.run("logs", "--since", cut.toString(), id).out()).isEqualTo("late\n");
    assertThat(docker.run("logs", "--until", cut.toString(), id).out()).isEqualTo("early\n");
    docker.ok("rm", id);
  }

  @Test
  void stop_sendsTermThenKill() throws Exception {
    String trapping =
        docker.ok(
            "run", "-d", image, "sh", "-c", "trap 'exit 42' TERM; while true; do sleep 0.1; done");
    Thread.sleep(300); // let the shell set its trap
    docker.ok("stop", trapping);
    assertThat(docker.ok("inspect", "-f", "{{.State.ExitCode}}", trapping)).isEqualTo("42");
    String deaf = docker.ok("run", "-d", image, "sleep", "300");
    docker.ok("stop", "-t", "1", deaf);
    assertThat(docker.ok("inspect", "-f", "{{.State.ExitCode}}", deaf)).isEqualTo("137");
    docker.ok("rm", trapping, deaf);
  }

  @Test
  void ps_filtersAsDocker() throws Exception {
    String a =
        docker.ok("run", "-d", "--name", "ps-a", "--label", "tier=web", image, "sleep", "300");
    String b = docker.ok("run", "-d", "--name", "ps-b", "--label", "tier=db", image, "true");
    docker.ok("wait", b);
    assertThat(docker.ok("ps", "-q", "--no-trunc")).contains(a).doesNotContain(b);
    assertThat(docker.ok("ps", "-aq", "--no-trunc", "--filter", "label=tier=db")).isEqualTo(b);
    assertThat(docker.ok("ps", "-aq", "--no-trunc", "--filter", "label=tier")).contains(a, b);
    assertThat(
            docker.ok(
                "ps", "-aq", "--no-trunc", "--filter", "status=exited", "--filter", "name=ps-"))
        .isEqualTo(b);
    assertThat(docker.ok("ps", "-aq", "--no-trunc", "--filter", "id=" + a.substring(0, 10)))
        .isEqualTo(a);
    assertThat(
            docker.ok(
                "ps", "--format", "{{.Names}} {{.Image}} {{.Command}}", "--filter", "name=ps-a"))
        .isEqualTo("ps-a " + image + " \"sleep 300\"");
    Result bad = docker.run("ps", "--filter", "status=sleepy");
    assertThat(bad.exitCode()).isNotZero();
    assertThat(bad.err()).contains("invalid filter 'status=sleepy'");
    docker.ok("rm", "-f", a, b);
  }

  @Test
  void rmForce_removesARunningContainerAndAllOfIt() throws Exception {
    String id = docker.ok("run", "-d", image, "sleep", "300");
    Result refused = docker.run("rm", id);
    assertThat(refused.exitCode()).isNotZero();
    assertThat(refused.err())
        .contains("container is running: stop the container before removing or force remove");
    docker.ok("rm", "-f", id);
    assertThat(docker.ok("ps", "-aq", "--no-trunc")).doesNotContain(id);
    assertThat(server.leftovers()).noneMatch(l -> l.contains(id));
    Result gone = docker.run("inspect", id);
    assertThat(gone.err()).contains("No such object: " + id);
  }

  @Test
  void dockerinitLog_tellsWhatItDid() throws Exception {
    String log =
        docker.ok(
            "run",
            "--rm",
            "-e",
            "SECRET=hunter2",
            "-w",
            "/work",
            image,
            "cat",
            "/var/log/sdc-dockerinit.log");
    List<String> lines = log.lines().toList();
    assertThat(lines)
        .allMatch(l -> l.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z .+"));
    assertThat(log)
        .contains("WORKDIR '/work'", "ARGV[0]:CMD \"cat\"", "EXECNAME \"/bin/cat\"", "DROP PRIVS")
        .containsPattern("ENV\\[\\d+\\] SECRET\n")
        .doesNotContain("hunter2");
  }

  @Test
  void inspect_hasDockersFields() throws Exception {
    String id =
        docker.ok("create", "--name", "insp", "-h", "box", "--label", "k=v", image, "echo", "x");
    assertThat(
            docker.ok(
                "inspect",
                "-f",
                "{{.Name}} {{.State.Status}} {{.Config.Hostname}} {{json .Config.Cmd}} {{.Config.Labels.k}} {{.Config.Image}}",
                id))
        .isEqualTo("/insp created box [\"echo\",\"x\"] v " + image);
    docker.ok("start", id);
    assertThat(docker.ok("wait", id)).isEqualTo("0");
    assertThat(docker.ok("logs", id)).isEqualTo("x");
    docker.ok("rm", "insp");
  }

  @Test
  void badRequests_getDockersErrorShape() throws Exception {
    Result unknown = docker.run("run", "--rm", registry.host() + "/x/nosuch", "true");
    assertThat(unknown.exitCode()).isEqualTo(125);
    assertThat(unknown.err())
        .contains("manifest for " + registry.host() + "/x/nosuch:latest not found");
    HttpResponse<String> malformed =
        http.send(
            HttpRequest.newBuilder(URI.create(server.url() + "/v1.50/containers/create"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{not json"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(malformed.statusCode()).isEqualTo(400);
    assertThat(malformed.body()).startsWith("{\"message\":\"invalid JSON");
    HttpResponse<String> tooNew = get("/v1.99/version");
    assertThat(tooNew.statusCode()).isEqualTo(400);
    assertThat(tooNew.body())
        .isEqualTo(
            "{\"message\":\"client version 1.99 is too new. Maximum supported API version is 1.50\"}\n");
    HttpResponse<String> tooOld = get("/v1.12/info");
    assertThat(tooOld.statusCode()).isEqualTo(400);
    assertThat(tooOld.body())
        .contains("client version 1.12 is too old. Minimum supported API version is 1.24");
    HttpResponse<String> missing = get("/containers/nosuch/json");
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(missing.body()).isEqualTo("{\"message\":\"No such container: nosuch\"}\n");
    HttpResponse<String> noImage =
        http.send(
            HttpRequest.newBuilder(URI.create(server.url() + "/containers/create"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"Image\":\"never/pulled\"}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(noImage.statusCode()).isEqualTo(404);
    assertThat(noImage.body()).contains("No such image: never/pulled:latest");
    Result badName = docker.run("create", "--name", "bad name!", image);
    assertThat(badName.err()).contains("Invalid container name (bad name!)");
  }

  @Test
  void systemEndpoints_answerAsDocker() throws Exception {
    HttpResponse<String> ping = get("/_ping");
    assertThat(ping.body()).isEqualTo("OK");
    assertThat(ping.headers().firstValue("API-Version")).hasValue("1.50");
    HttpResponse<String> head =
        http.send(
            HttpRequest.newBuilder(URI.create(server.url() + "/v1.24/_ping"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(head.statusCode()).isEqualTo(200);
    // the unversioned ping is answered before routing: the same answer as through the router
    HttpResponse<String> plainHead =
        http.send(
            HttpRequest.newBuilder(URI.create(server.url() + "/_ping"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> versioned = get("/v1.24/_ping");
    for (var h : List.of(ping, plainHead, versioned, head)) {
      assertThat(h.headers().firstValue("Ostype")).hasValue("linux");
      assertThat(h.headers().firstValue("Server"))
          .hasValueSatisfying(v -> assertThat(v).startsWith("sdc-docker/"));
      assertThat(h.headers().firstValue("Cache-Control"))
          .hasValue("no-cache, no-store, must-revalidate");
    }
    assertThat(versioned.body()).isEqualTo("OK");
    assertThat(docker.ok("version", "--format", "{{.Server.APIVersion}}")).isEqualTo("1.50");
    String id = docker.ok("run", "-d", image, "sleep", "300");
    String info =
        docker.ok(
            "info",
            "--format",
            "{{.Driver}} {{.Name}} {{.OperatingSystem}} {{.ContainersRunning}}");
    assertThat(info).startsWith("sdc test-dc SmartDataCenter ");
    assertThat(Integer.parseInt(info.substring(info.lastIndexOf(' ') + 1))).isPositive();
    assertThat(docker.ok("info", "--format", "{{.NCPU}}")).isNotEqualTo("0");
    docker.ok("rm", "-f", id);
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(server.url() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
