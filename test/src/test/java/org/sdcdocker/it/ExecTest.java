package org.sdcdocker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sdcdocker.it.support.DockerCli.Result;
import org.sdcdocker.it.support.FixtureTest;

/** docker exec with the real CLI: output, exit codes, user/workdir/env, stdin, detach, refusals. */
class ExecTest extends FixtureTest {
  private String box;

  @BeforeAll
  void box() throws Exception {
    box =
        docker.ok(
            "run",
            "-d",
            "--name",
            "execbox",
            "-e",
            "CV=from-container",
            "-w",
            "/tmp",
            f.image,
            "sleep",
            "300");
  }

  @Test
  void exec_printsOutputApartAndReturnsTheExitCode() throws Exception {
    Result r =
        docker.run("exec", "execbox", "sh", "-c", "echo out $CV $(pwd); echo err >&2; exit 3");
    assertThat(r.exitCode()).isEqualTo(3);
    assertThat(r.out()).isEqualTo("out from-container /tmp\n");
    assertThat(r.err()).isEqualTo("err\n");
  }

  @Test
  void exec_isInTheContainersNamespacesAndCgroups() throws Exception {
    String id = docker.ok("inspect", "-f", "{{.Id}}", "execbox");
    String out =
        docker.ok(
            "exec",
            "execbox",
            "sh",
            "-c",
            "for n in mnt pid net ipc uts cgroup; do [ \"$(readlink /proc/1/ns/$n)\" = \"$(readlink /proc/self/ns/$n)\" ]"
                + " || echo differs $n; done; cat /proc/self/cgroup; grep CapEff /proc/self/status");
    assertThat(out).doesNotContain("differs");
    assertThat(out.lines().filter(l -> l.matches("\\d+:.*")))
        .isNotEmpty()
        .allMatch(l -> l.endsWith("/sdc-docker/" + id), "in the container's cgroup");
    assertThat(out).contains("CapEff:\t00000000a80425fb"); // Docker's default set
  }

  @Test
  void execHelpers_areNotTheContainers_inTopStatsOrPidsLimit() throws Exception {
    String id = docker.ok("run", "-d", "--pids-limit", "3", f.image, "sleep", "300");
    // the limit is the container's own: sleep, then sh and its child in the exec
    Result r = docker.run("exec", id, "sh", "-c", "true & wait; echo ok");
    assertThat(r.exitCode()).as(r.all()).isZero();
    assertThat(r.out()).isEqualTo("ok\n");
    docker.ok("exec", "execbox", "true"); // the next exec's standby waits in the zone's cgroups now
    String top = docker.ok("top", "execbox");
    assertThat(top).contains("sleep 300").doesNotContain("zone-enter");
    assertThat(top.lines().count()).as(top).isEqualTo(2);
    assertThat(docker.ok("stats", "--no-stream", "--format", "{{.PIDs}}", "execbox"))
        .isEqualTo("1");
    docker.ok("rm", "-f", id);
    // a limit set later: the standby the earlier exec left goes, so the limit is the container's
    // own
    String later = docker.ok("run", "-d", f.image, "sleep", "300");
    docker.ok("exec", later, "true");
    docker.ok("update", "--pids-limit", "3", later);
    Result limited = docker.run("exec", later, "sh", "-c", "true & wait; echo ok");
    assertThat(limited.exitCode()).as(limited.all()).isZero();
    docker.ok("rm", "-f", later);
  }

  @Test
  void exec_afterARestart_entersTheNewRun() throws Exception {
    String id = docker.ok("run", "-d", f.image, "sleep", "300");
    docker.ok("exec", id, "true");
    docker.ok("restart", "-t", "0", id);
    assertThat(docker.ok("exec", id, "sh", "-c", "echo again; cat /proc/1/comm"))
        .isEqualTo("again\nsleep");
    docker.ok("stop", "-t", "0", id);
    assertThat(docker.run("exec", id, "true").err()).contains("is not running");
    docker.ok("rm", id);
  }

  @Test
  void exec_outputArrivesWhole() throws Exception {
    Result r =
        docker.run(
            "exec", "execbox", "sh", "-c", "yes 0123456789abcdef | head -c 3000000; echo done >&2");
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out()).hasSize(3_000_000).startsWith("0123456789abcdef\n");
    assertThat(r.err()).isEqualTo("done\n");
  }

  @Test
  void exec_userWorkdirAndEnv() throws Exception {
    assertThat(
            docker.ok(
                "exec",
                "-u",
                "app",
                "-w",
                "/home/app",
                "-e",
                "X=y",
                "execbox",
                "sh",
                "-c",
                "echo $(id -u) $(pwd) $X $CV $HOME"))
        .isEqualTo("1000 /home/app y from-container /home/app");
    assertThat(docker.ok("exec", "-u", "1000:50", "execbox", "id", "-g")).isEqualTo("50");
  }

  @Test
  void execI_passesStdinThroughToItsEnd() throws Exception {
    Result r =
        docker.runWithInput(30, "one\ntwo\n", "exec", "-i", "execbox", "sh", "-c", "cat; echo eof");
    assertThat(r.exitCode()).as(r.all()).isZero();
    assertThat(r.out()).isEqualTo("one\ntwo\neof\n");
  }

  @Test
  void execIt_inAPseudoTerminal() throws Exception {
    ProcessBuilder pb =
        new ProcessBuilder("script", "-qec", "docker exec -it execbox sh", "/dev/null");
    pb.environment().put("DOCKER_HOST", f.server.host());
    Process p = pb.redirectErrorStream(true).start();
    p.getOutputStream().write("[ -t 0 ] && echo IS-A-TTY $(tty); exit 6\n".getBytes());
    p.getOutputStream().flush();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.exitValue()).as(out).isEqualTo(6);
    assertThat(out).contains("IS-A-TTY /dev/pts/0");
  }

  @Test
  void exec_missingCommandIs127() throws Exception {
    Result r = docker.run("exec", "execbox", "nosuch");
    assertThat(r.exitCode()).isEqualTo(127);
    assertThat(r.err()).contains("exec: \"nosuch\": executable file not found in $PATH");
  }

  @Test
  void execCapabilities_areTheContainers_andAllWithPrivileged() throws Exception {
    String id =
        docker.ok(
            "run", "-d", "--cap-add", "SYS_ADMIN", "--cap-drop", "CHOWN", f.image, "sleep", "300");
    var m = docker.run("exec", id, "mount", "-t", "tmpfs", "none", "/tmp");
    assertThat(m.exitCode()).as(m.all()).isZero();
    var chown = docker.run("exec", id, "chown", "app", "/tmp");
    assertThat(chown.exitCode()).as(chown.all()).isEqualTo(1);
    assertThat(chown.err()).contains("Operation not permitted");
    String plain = docker.ok("run", "-d", f.image, "sleep", "300");
    var denied = docker.run("exec", plain, "mount", "-t", "tmpfs", "none", "/tmp");
    assertThat(denied.exitCode()).as(denied.all()).isEqualTo(1);
    assertThat(denied.err()).contains("mount: permission denied (are you root?)");
    assertThat(
            docker
                .run("exec", "--privileged", plain, "mount", "-t", "tmpfs", "none", "/tmp")
                .exitCode())
        .isZero();
    docker.ok("rm", "-f", id, plain);
  }

  @Test
  void execD_runsInTheBackground() throws Exception {
    docker.ok("exec", "-d", "execbox", "sh", "-c", "sleep 0.3; touch /tmp/detached");
    String ls = "";
    for (int i = 0; i < 40 && !ls.contains("detached"); i++) {
      Thread.sleep(100);
      ls = docker.ok("exec", "execbox", "ls", "/tmp");
    }
    assertThat(ls).contains("detached");
  }

  /**
   * Creates an exec of {@code cmd} (JSON array) and starts it detached, through the API; its id.
   */
  private String execDetached(String container, String cmd) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    String exec =
        http.send(
                HttpRequest.newBuilder(
                        URI.create(f.server.url() + "/containers/" + container + "/exec"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"Cmd\":" + cmd + "}"))
                    .build(),
                HttpResponse.BodyHandlers.ofString())
            .body()
            .replaceAll(".*\"Id\":\"([^\"]+)\".*", "$1")
            .trim();
    http.send(
        HttpRequest.newBuilder(URI.create(f.server.url() + "/exec/" + exec + "/start"))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("{\"Detach\":true}"))
            .build(),
        HttpResponse.BodyHandlers.ofString());
    return exec;
  }

  /**
   * As Docker's, the start's Tty says whether the output is framed, whatever the exec's own TTY.
   */
  @Test
  void ttyExecStartedWithoutTty_isFramedAsStdout_andADetachedStartHasAnEmptyBody()
      throws Exception {
    String id = docker.ok("run", "-d", f.image, "sleep", "300");
    HttpClient http = HttpClient.newHttpClient();
    String exec =
        http.send(
                HttpRequest.newBuilder(URI.create(f.server.url() + "/containers/" + id + "/exec"))
                    .header("Content-Type", "application/json")
                    .POST(
                        HttpRequest.BodyPublishers.ofString(
                            "{\"Cmd\":[\"printf\",\"hello\"],\"Tty\":true,\"AttachStdout\":true}"))
                    .build(),
                HttpResponse.BodyHandlers.ofString())
            .body()
            .replaceAll(".*\"Id\":\"([^\"]+)\".*", "$1")
            .trim();
    byte[] out =
        http.send(
                HttpRequest.newBuilder(URI.create(f.server.url() + "/exec/" + exec + "/start"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"Tty\":false}"))
                    .build(),
                HttpResponse.BodyHandlers.ofByteArray())
            .body();
    assertThat(out).startsWith(1, 0, 0, 0, 0, 0, 0, 5);
    assertThat(new String(out, 8, out.length - 8)).isEqualTo("hello");
    String detached =
        http.send(
                HttpRequest.newBuilder(URI.create(f.server.url() + "/containers/" + id + "/exec"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"Cmd\":[\"true\"]}"))
                    .build(),
                HttpResponse.BodyHandlers.ofString())
            .body()
            .replaceAll(".*\"Id\":\"([^\"]+)\".*", "$1")
            .trim();
    HttpResponse<String> started =
        http.send(
            HttpRequest.newBuilder(URI.create(f.server.url() + "/exec/" + detached + "/start"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"Detach\":true}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(started.statusCode()).isEqualTo(200);
    assertThat(started.body()).isEmpty();
    docker.ok("rm", "-f", id);
  }

  @Test
  void execD_outlivesAnAgentRestart_andItsExitCodeIsRecorded() throws Exception {
    String id = docker.ok("run", "-d", f.image, "sleep", "300");
    execDetached(id, "[\"sh\",\"-c\",\"sleep 1; touch /tmp/survived; exit 4\"]");
    f.server.stopAgent();
    Thread.sleep(1500);
    f.server.startAgent();
    String ls = "";
    for (int i = 0; i < 40 && !ls.contains("survived"); i++) {
      Thread.sleep(100);
      ls = docker.run("exec", id, "ls", "/tmp").out();
    }
    assertThat(ls).contains("survived");
    String five = execDetached(id, "[\"sh\",\"-c\",\"exit 5\"]");
    HttpClient http = HttpClient.newHttpClient();
    String inspect = "";
    for (int i = 0; i < 40 && !inspect.contains("\"ExitCode\":5"); i++) {
      Thread.sleep(100);
      inspect =
          http.send(
                  HttpRequest.newBuilder(URI.create(f.server.url() + "/exec/" + five + "/json"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
    }
    assertThat(inspect).contains("\"ExitCode\":5", "\"Running\":false");
    docker.ok("rm", "-f", id);
  }

  @Test
  void execInspect_reportsTheExitCode() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    String base = f.server.url();
    HttpResponse<String> created =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/containers/execbox/exec"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"Cmd\":[\"sh\",\"-c\",\"exit 9\"]}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(created.statusCode()).isEqualTo(201);
    String id = created.body().replaceAll(".*\"Id\":\"([0-9a-f]+)\".*\\s*", "$1");
    HttpResponse<String> started =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/exec/" + id + "/start"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"Detach\":true}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(started.statusCode()).isEqualTo(200);
    String body = "";
    for (int i = 0; i < 50 && !body.contains("\"ExitCode\":9"); i++) {
      Thread.sleep(50);
      body =
          http.send(
                  HttpRequest.newBuilder(URI.create(base + "/exec/" + id + "/json")).build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
    }
    assertThat(body)
        .contains("\"ExitCode\":9", "\"Running\":false", "\"ContainerID\":\"" + box + "\"");
    HttpResponse<String> again =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/exec/" + id + "/start"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"Detach\":true}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(again.statusCode()).isEqualTo(409);
    assertThat(
            http.send(
                    HttpRequest.newBuilder(URI.create(base + "/exec/nosuch/json")).build(),
                    HttpResponse.BodyHandlers.ofString())
                .body())
        .contains("No such exec instance: nosuch");
  }

  @Test
  void execsOfARemovedContainer_areForgotten() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    String base = f.server.url();
    String c = docker.ok("run", "-d", f.image, "sleep", "300");
    HttpResponse<String> created =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/containers/" + c + "/exec"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"Cmd\":[\"true\"]}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(created.statusCode()).isEqualTo(201);
    String id = created.body().replaceAll(".*\"Id\":\"([0-9a-f]+)\".*\\s*", "$1");
    assertThat(
            http.send(
                    HttpRequest.newBuilder(URI.create(base + "/exec/" + id + "/json")).build(),
                    HttpResponse.BodyHandlers.ofString())
                .statusCode())
        .isEqualTo(200);
    docker.ok("rm", "-f", c);
    HttpResponse<String> gone =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/exec/" + id + "/json")).build(),
            HttpResponse.BodyHandlers.ofString());
    for (int i = 0;
        i < 50 && gone.statusCode() != 404;
        i++) { // the removal's event reaches the front end after rm's answer
      Thread.sleep(20);
      gone =
          http.send(
              HttpRequest.newBuilder(URI.create(base + "/exec/" + id + "/json")).build(),
              HttpResponse.BodyHandlers.ofString());
    }
    assertThat(gone.statusCode()).isEqualTo(404);
    assertThat(gone.body()).contains("No such exec instance: " + id);
  }

  @Test
  void execStart_withoutUpgrade_framesTheOutput_andAClientThatLeavesLeavesItRunning()
      throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    String base = f.server.url();
    Function<String, String> create =
        cmd -> {
          try {
            String b =
                http.send(
                        HttpRequest.newBuilder(URI.create(base + "/containers/execbox/exec"))
                            .header("Content-Type", "application/json")
                            .POST(
                                HttpRequest.BodyPublishers.ofString(
                                    "{\"AttachStdout\":true,\"AttachStderr\":true,\"Cmd\":[\"sh\",\"-c\",\""
                                        + cmd
                                        + "\"]}"))
                            .build(),
                        HttpResponse.BodyHandlers.ofString())
                    .body();
            return b.replaceAll(".*\"Id\":\"([0-9a-f]+)\".*\\s*", "$1");
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        };
    String id = create.apply("echo hi; echo err >&2; exit 3");
    HttpResponse<byte[]> out =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/exec/" + id + "/start"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{}"))
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());
    byte[] hi = {1, 0, 0, 0, 0, 0, 0, 3, 'h', 'i', '\n'};
    byte[] err = {2, 0, 0, 0, 0, 0, 0, 4, 'e', 'r', 'r', '\n'};
    ByteArrayOutputStream either =
        new ByteArrayOutputStream(); // the two pipes' order is the kernel's
    either.write(out.body()[0] == 1 ? hi : err);
    either.write(out.body()[0] == 1 ? err : hi);
    assertThat(out.body()).isEqualTo(either.toByteArray());
    String late = create.apply("sleep 1; echo late");
    assertThatThrownBy(
            () ->
                http.send(
                    HttpRequest.newBuilder(URI.create(base + "/exec/" + late + "/start"))
                        .timeout(Duration.ofMillis(300))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{}"))
                        .build(),
                    HttpResponse.BodyHandlers.ofByteArray()))
        .isInstanceOf(HttpTimeoutException.class);
    String body = "";
    for (int i = 0;
        i < 60 && !body.contains("\"Running\":false");
        i++) { // the exec ends on its own
      Thread.sleep(50);
      body =
          http.send(
                  HttpRequest.newBuilder(URI.create(base + "/exec/" + late + "/json")).build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
    }
    assertThat(body).contains("\"ExitCode\":0", "\"Running\":false");
  }

  @Test
  void exec_intoStoppedOrPausedContainers_isRefused() throws Exception {
    String stopped = docker.ok("create", f.image, "true");
    Result r = docker.run("exec", stopped, "true");
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.err()).contains("container " + stopped + " is not running");
    String paused = docker.ok("run", "-d", f.image, "sleep", "300");
    docker.ok("pause", paused);
    Result p = docker.run("exec", paused, "true");
    assertThat(p.err()).contains("is paused, unpause the container before exec");
    docker.ok("rm", "-f", stopped, paused);
  }
}
