package org.sdcdocker.it;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.sdcdocker.it.support.DockerCli.Result;
import org.sdcdocker.it.support.FixtureTest;

/** Restart policies, reboot rules, restart, rename, pause and unpause with the real CLI. */
class RestartPolicyTest extends FixtureTest {

  @Test
  void restartAlways_restartsAfterTheProcessDies_untilStopped() throws Exception {
    String id = docker.ok("run", "-d", "--restart", "always", image, "sleep", "300");
    String pid = docker.ok("inspect", "-f", "{{.State.Pid}}", id);
    new ProcessBuilder("kill", "-9", pid).start().waitFor();
    String after =
        await(
            id,
            "{{.RestartCount}} {{.State.Status}} {{.State.Pid}}",
            v -> v.startsWith("1 running"));
    assertThat(after).doesNotEndWith(" " + pid);
    assertThat(docker.ok("inspect", "-f", "{{.HostConfig.RestartPolicy.Name}}", id))
        .isEqualTo("always");
    docker.ok("stop", "-t", "0", id);
    Thread.sleep(500);
    assertThat(docker.ok("inspect", "-f", "{{.State.Status}} {{.RestartCount}}", id))
        .isEqualTo("exited 1");
    docker.ok("start", id);
    assertThat(docker.ok("inspect", "-f", "{{.State.Status}} {{.RestartCount}}", id))
        .isEqualTo("running 0");
    docker.ok("rm", "-f", id);
  }

  @Test
  void onFailureN_givesUpAfterNRetries() throws Exception {
    String id = docker.ok("run", "-d", "--restart", "on-failure:2", image, "sh", "-c", "exit 3");
    String end =
        await(
            id,
            "{{.State.Status}} {{.RestartCount}} {{.State.ExitCode}}",
            v -> v.equals("exited 2 3"));
    assertThat(end).isEqualTo("exited 2 3");
    Thread.sleep(1000); // 100 + 200 ms delays have passed: no third try
    assertThat(docker.ok("inspect", "-f", "{{.RestartCount}}", id)).isEqualTo("2");
    String ok = docker.ok("run", "-d", "--restart", "on-failure", image, "true");
    assertThat(docker.ok("wait", ok)).isEqualTo("0");
    Thread.sleep(300);
    assertThat(docker.ok("inspect", "-f", "{{.State.Status}} {{.RestartCount}}", ok))
        .isEqualTo("exited 0");
    docker.ok("rm", "-f", id, ok);
  }

  @Test
  void badRestartPolicies_areRefusedAsDocker() throws Exception {
    Result bad = docker.run("create", "--restart", "sometimes", image);
    assertThat(bad.exitCode()).isNotZero();
    Result rm = docker.run("run", "--rm", "--restart", "always", image, "true");
    assertThat(rm.exitCode()).isNotZero();
    assertThat(rm.err()).containsIgnoringCase("--restart").containsIgnoringCase("--rm");
  }

  @Test
  void simulatedReboot_bringsBackWhatThePolicySays() throws Exception {
    String no = docker.ok("run", "-d", "--name", "boot-no", image, "sleep", "300");
    String always =
        docker.ok(
            "run", "-d", "--name", "boot-always", "--restart", "always", image, "sleep", "300");
    String onFailure =
        docker.ok(
            "run", "-d", "--name", "boot-onfail", "--restart", "on-failure", image, "sleep", "300");
    String done =
        docker.ok("run", "-d", "--name", "boot-done", "--restart", "on-failure", image, "true");
    assertThat(docker.ok("wait", done)).isEqualTo("0");
    f.server.simulateReboot();
    assertThat(await(no, "{{.State.Status}}", v -> !v.equals("running"))).isEqualTo("exited");
    assertThat(docker.ok("inspect", "-f", "{{.State.ExitCode}}", no)).isEqualTo("255");
    assertThat(await(always, "{{.State.Status}}", v -> v.equals("running"))).isEqualTo("running");
    assertThat(await(onFailure, "{{.State.Status}}", v -> v.equals("running")))
        .isEqualTo("running");
    assertThat(docker.ok("inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", done))
        .isEqualTo("exited 0");
    assertThat(docker.ok("logs", always)).isEmpty();
    docker.ok("rm", "-f", no, always, onFailure, done);
  }

  @Test
  void restartRenamePauseUnpause() throws Exception {
    String id =
        docker.ok("run", "-d", "--name", "life", image, "sh", "-c", "echo started; sleep 300");
    String pid = docker.ok("inspect", "-f", "{{.State.Pid}}", id);
    docker.ok("restart", "-t", "1", "life");
    assertThat(docker.ok("inspect", "-f", "{{.State.Status}}", id)).isEqualTo("running");
    assertThat(docker.ok("inspect", "-f", "{{.State.Pid}}", id)).isNotEqualTo(pid);
    assertThat(await(id, "{{.Id}}", v -> true)).isEqualTo(id);
    docker.ok("rename", "life", "life2");
    assertThat(docker.ok("inspect", "-f", "{{.Name}}", id)).isEqualTo("/life2");
    Result taken = docker.run("rename", "life2", "life2");
    assertThat(taken.exitCode()).isNotZero();
    docker.ok("pause", "life2");
    assertThat(
            docker.ok(
                "inspect", "-f", "{{.State.Status}} {{.State.Paused}} {{.State.Running}}", id))
        .isEqualTo("paused true true");
    assertThat(docker.ok("ps", "--filter", "name=life2", "--format", "{{.Status}}"))
        .endsWith("(Paused)");
    Result again = docker.run("pause", "life2");
    assertThat(again.err()).contains("is already paused");
    docker.ok("unpause", "life2");
    assertThat(docker.ok("inspect", "-f", "{{.State.Status}}", id)).isEqualTo("running");
    docker.ok("pause", "life2");
    docker.ok("rm", "-f", "life2");
    assertThat(docker.ok("ps", "-aq", "--filter", "name=life")).isEmpty();
  }
}
