package org.sdcdocker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.sdcdocker.it.support.FixtureTest;

/** --health-cmd and friends: status in inspect and ps, health_status events, the ps filter. */
class HealthTest extends FixtureTest {
  @Test
  void healthyThenUnhealthy() throws Exception {
    String since = Long.toString(Instant.now().getEpochSecond() - 1);
    String id =
        docker.ok(
            "run",
            "-d",
            "--health-cmd",
            "test ! -e /tmp/sick && echo fine",
            "--health-interval",
            "200ms",
            "--health-retries",
            "2",
            "--health-timeout",
            "2s",
            image,
            "sleep",
            "300");
    assertThat(docker.ok("inspect", "-f", "{{.State.Health.Status}}", id))
        .isIn("starting", "healthy");
    await(id, "{{.State.Health.Status}}", "healthy"::equals);
    assertThat(docker.ok("ps", "--filter", "id=" + id, "--format", "{{.Status}}"))
        .endsWith("(healthy)");
    assertThat(docker.ok("ps", "-q", "--no-trunc", "--filter", "health=healthy")).contains(id);
    assertThat(docker.ok("inspect", "-f", "{{(index .State.Health.Log 0).Output}}", id))
        .isEqualTo("fine");
    docker.ok("exec", id, "touch", "/tmp/sick");
    await(id, "{{.State.Health.Status}}", "unhealthy"::equals);
    assertThat(docker.ok("inspect", "-f", "{{.State.Health.FailingStreak}}", id)).isNotEqualTo("0");
    String until = Long.toString(Instant.now().getEpochSecond() + 1);
    Thread.sleep(1100);
    assertThat(
            docker
                .ok(
                    "events",
                    "--since",
                    since,
                    "--until",
                    until,
                    "--filter",
                    "container=" + id,
                    "--filter",
                    "event=health_status",
                    "--format",
                    "{{.Action}}")
                .lines()
                .toList())
        .containsSubsequence("health_status: healthy", "health_status: unhealthy");
    docker.ok("rm", "-f", id);
  }

  @Test
  void aCheckPastItsTimeout_isKilledAndCountsAsFailed() throws Exception {
    String id =
        docker.ok(
            "run",
            "-d",
            "--health-cmd",
            "sleep 30",
            "--health-interval",
            "300ms",
            "--health-retries",
            "1",
            "--health-timeout",
            "300ms",
            image,
            "sleep",
            "300");
    await(id, "{{.State.Health.Status}}", "unhealthy"::equals);
    assertThat(
            docker.ok(
                "inspect",
                "-f",
                "{{(index .State.Health.Log 0).ExitCode}} {{(index .State.Health.Log 0).Output}}",
                id))
        .isEqualTo("-1 Health check exceeded timeout (300ms)");
    Thread.sleep(1500); // five more checks timed out meanwhile: each one's process was killed
    String top = docker.ok("top", id, "-o", "pid,args");
    assertThat(top.lines().filter(l -> l.endsWith(" sleep 30")).count())
        .as(top)
        .isLessThanOrEqualTo(1);
    docker.ok("rm", "-f", id);
  }

  @Test
  void noHealthcheck_hasNoHealth() throws Exception {
    String id = docker.ok("run", "-d", image, "sleep", "300");
    assertThat(docker.ok("inspect", "-f", "{{.State.Health}}", id)).isEqualTo("<nil>");
    assertThat(docker.ok("ps", "-q", "--no-trunc", "--filter", "health=none")).contains(id);
    docker.ok("rm", "-f", id);
  }
}
