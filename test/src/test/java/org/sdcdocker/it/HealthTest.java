package org.sdcdocker.it;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.sdcdocker.it.support.FixtureTest;

/** --health-cmd and friends: status in inspect and ps, health_status events, the ps filter. */
class HealthTest extends FixtureTest {
  @Test
  void healthyThenUnhealthy() throws Exception {
    String since = Long.toString(java.time.Instant.now().getEpochSecond() - 1);
    String id = docker.ok("run", "-d", "--health-cmd", "test ! -e /tmp/sick && echo fine", "--health-interval", "200ms",
        "--health-retries", "2", "--health-timeout", "2s", image, "sleep", "300");
    assertThat(docker.ok("inspect", "-f", "{{.State.Health.Status}}", id)).isIn("starting", "healthy");
    await(id, "{{.State.Health.Status}}", "healthy"::equals);
    assertThat(docker.ok("ps", "--filter", "id=" + id, "--format", "{{.Status}}")).endsWith("(healthy)");
    assertThat(docker.ok("ps", "-q", "--no-trunc", "--filter", "health=healthy")).contains(id);
    assertThat(docker.ok("inspect", "-f", "{{(index .State.Health.Log 0).Output}}", id)).isEqualTo("fine");
    docker.ok("exec", id, "touch", "/tmp/sick");
    await(id, "{{.State.Health.Status}}", "unhealthy"::equals);
    assertThat(docker.ok("inspect", "-f", "{{.State.Health.FailingStreak}}", id)).isNotEqualTo("0");
    String until = Long.toString(java.time.Instant.now().getEpochSecond() + 1);
    Thread.sleep(1100);
    assertThat(docker.ok("events", "--since", since, "--until", until, "--filter", "container=" + id,
        "--filter", "event=health_status", "--format", "{{.Action}}").lines().toList())
        .containsSubsequence("health_status: healthy", "health_status: unhealthy");
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
