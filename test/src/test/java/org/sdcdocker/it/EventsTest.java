package org.sdcdocker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.sdcdocker.it.support.FixtureTest;
import org.sdcdocker.it.support.TestFiles;

/** docker events: what each verb records, since and until, and live. */
class EventsTest extends FixtureTest {

  @Test
  void events_ofExecTopExportAndCopy() throws Exception {
    String since = Long.toString(Instant.now().getEpochSecond() - 1);
    String id = docker.ok("run", "-d", "--name", "ev2", image, "sleep", "300");
    assertThat(docker.run("exec", "ev2", "sh", "-c", "exit 3").exitCode()).isEqualTo(3);
    docker.ok("top", "ev2");
    Path dir = Files.createTempDirectory("sdc-ev");
    try {
      docker.ok("export", "-o", dir.resolve("fs.tar").toString(), "ev2");
      docker.ok("cp", "ev2:/etc/passwd", dir.resolve("passwd").toString());
      docker.ok("cp", dir.resolve("passwd").toString(), "ev2:/tmp/");
    } finally {
      TestFiles.deleteTree(dir);
    }
    String until = Long.toString(Instant.now().getEpochSecond() + 1);
    Thread.sleep(1100);
    String actions =
        docker.ok(
            "events",
            "--since",
            since,
            "--until",
            until,
            "--filter",
            "container=ev2",
            "--format",
            "{{.Action}}");
    assertThat(actions.lines().toList())
        .contains(
            "exec_create: sh -c exit 3",
            "exec_start: sh -c exit 3",
            "exec_die",
            "top",
            "export",
            "archive-path",
            "extract-to-dir");
    assertThat(
            docker.ok(
                "events",
                "--since",
                since,
                "--until",
                until,
                "--filter",
                "container=ev2",
                "--filter",
                "event=exec_die",
                "--format",
                "{{.Actor.Attributes.exitCode}}"))
        .isEqualTo("3");
    docker.ok("rm", "-f", id);
  }

  @Test
  void events_afterTheFactAndLive() throws Exception {
    String since = Long.toString(Instant.now().getEpochSecond() - 1);
    assertThat(
            docker
                .run(
                    "run", "--rm", "--name", "ev1", "--label", "team=a", image, "sh", "-c",
                    "exit 5")
                .exitCode())
        .isEqualTo(5);
    String until = Long.toString(Instant.now().getEpochSecond() + 1);
    Thread.sleep(1100);
    String kept =
        docker.ok(
            "events",
            "--since",
            since,
            "--until",
            until,
            "--filter",
            "container=ev1",
            "--format",
            "{{.Type}} {{.Action}} {{.Actor.Attributes.name}} {{.Actor.Attributes.team}}");
    assertThat(kept.lines().toList())
        .containsExactly(
            "container create ev1 a",
            "container attach ev1 a",
            "container start ev1 a",
            "container die ev1 a",
            "container destroy ev1 a");
    assertThat(
            docker.ok(
                "events",
                "--since",
                since,
                "--until",
                until,
                "--filter",
                "event=die",
                "--filter",
                "label=team=a",
                "--format",
                "{{.Actor.Attributes.exitCode}}"))
        .isEqualTo("5");
    assertThat(
            docker
                .ok(
                    "events",
                    "--since",
                    "0",
                    "--until",
                    until,
                    "--filter",
                    "type=image",
                    "--format",
                    "{{.Type}} {{.Action}} {{.Actor.ID}}")
                .lines())
        .isNotEmpty()
        .allMatch(l -> l.startsWith("image pull "));

    // Live: a reader bounded by --until, while a container runs and is killed.
    long end = Instant.now().getEpochSecond() + 3;
    ProcessBuilder pb =
        new ProcessBuilder(
            "docker",
            "events",
            "--until",
            Long.toString(end),
            "--filter",
            "container=ev2",
            "--format",
            "{{.Action}}");
    pb.environment().put("DOCKER_HOST", f.server.host());
    Process reader = pb.redirectErrorStream(true).start();
    Thread.sleep(500);
    String id = docker.ok("run", "-d", "--name", "ev2", image, "sleep", "300");
    docker.ok("kill", id);
    docker.ok("wait", id);
    docker.ok("rm", id);
    assertThat(reader.waitFor(10, TimeUnit.SECONDS)).isTrue();
    String live = new String(reader.getInputStream().readAllBytes());
    assertThat(live.lines().toList()).containsExactly("create", "start", "kill", "die", "destroy");
  }
}
