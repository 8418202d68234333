package org.sdcdocker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sdcdocker.agent.net.ZoneNetwork;
import org.sdcdocker.it.support.DockerCli;
import org.sdcdocker.it.support.FixtureTest;
import org.sdcdocker.it.support.SdcServer;

/** Containers outlive the management processes; the front end's view is rebuilt from the agent. */
class RestartTest extends FixtureTest {
  private SdcServer server;

  @BeforeAll
  void server() {
    server = f.server;
  }

  @Test
  void agentRestart_leavesContainersRunningAndLosesNoLogLine() throws Exception {
    String id =
        docker.ok(
            "run",
            "-d",
            image,
            "sh",
            "-c",
            "i=0; while [ $i -lt 600 ]; do echo line$i; i=$((i+1)); sleep 0.05; done");
    String pid = docker.ok("inspect", "-f", "{{.State.Pid}}", id);
    server.stopAgent();
    Thread.sleep(500); // it keeps writing while no agent runs
    server.startAgent();
    assertThat(docker.ok("inspect", "-f", "{{.State.Status}} {{.State.Pid}}", id))
        .isEqualTo("running " + pid);
    docker.ok("kill", id);
    assertThat(docker.ok("wait", id)).isEqualTo("137");
    String[] lines = docker.ok("logs", id).split("\n");
    assertThat(lines.length).isGreaterThan(10);
    for (int i = 0; i < lines.length; i++) {
      assertThat(lines[i]).isEqualTo("line" + i);
    }
    docker.ok("rm", id);
  }

  /** The docker CLI as a process whose input and output the test drives itself. */
  private Process cli(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("docker"));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().put("DOCKER_HOST", server.host());
    pb.environment().put("DOCKER_CONFIG", DockerCli.configDir().toString());
    return pb.start();
  }

  /** Reads lines until one equals {@code want} (at most 10 s); all lines read. */
  private static List<String> readUntil(BufferedReader r, String want) throws Exception {
    List<String> seen = new ArrayList<>();
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (System.nanoTime() < deadline) {
      if (!r.ready()) {
        Thread.sleep(20);
        continue;
      }
      String line = r.readLine();
      if (line == null) {
        break;
      }
      seen.add(line);
      if (line.equals(want)) {
        return seen;
      }
    }
    throw new AssertionError("never saw " + want + "; saw " + seen);
  }

  @Test
  void attachedSessionsAndFollowedLogs_goOnAcrossAnAgentRestart() throws Exception {
    Process run =
        cli(
            "run",
            "-i",
            "--name",
            "talker",
            image,
            "sh",
            "-c",
            "while read l; do echo got $l; done; echo bye");
    try {
      var out = new BufferedReader(new InputStreamReader(run.getInputStream()));
      var in = run.getOutputStream();
      in.write("a\n".getBytes());
      in.flush();
      readUntil(out, "got a");
      Process follow = cli("logs", "-f", "talker");
      var followed = new BufferedReader(new InputStreamReader(follow.getInputStream()));
      readUntil(followed, "got a");
      server.stopAgent();
      in.write("b\n".getBytes()); // typed while no agent runs: delivered when the next one is up
      in.flush();
      Thread.sleep(500);
      server.startAgent();
      readUntil(out, "got b");
      in.write("c\n".getBytes());
      in.flush();
      readUntil(out, "got c");
      in.close();
      readUntil(out, "bye");
      assertThat(run.waitFor(20, TimeUnit.SECONDS)).isTrue();
      assertThat(run.exitValue()).isZero();
      assertThat(readUntil(followed, "bye")).containsExactly("got b", "got c", "bye");
      assertThat(follow.waitFor(20, TimeUnit.SECONDS)).isTrue();
    } finally {
      run.destroyForcibly();
    }
    docker.ok("rm", "talker");
  }

  @Test
  void aContainerThatEndsWhileTheAgentIsDown_reportsItsExitCode() throws Exception {
    String id = docker.ok("run", "-d", image, "sh", "-c", "sleep 0.5; exit 7");
    server.stopAgent();
    Thread.sleep(1500);
    server.startAgent();
    assertThat(docker.ok("wait", id)).isEqualTo("7");
    assertThat(docker.ok("inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", id))
        .isEqualTo("exited 7");
    docker.ok("rm", id);
  }

  /**
   * An agent killed in the middle of taking a zone's network down leaves the zone's record with an
   * attachment whose file is gone. The zone that ends while the agent is away must still leave the
   * network, or the network can never be removed and its bridge stays.
   */
  @Test
  void aNetworkHalfLeftByAKilledAgent_isLeftWhenTheZoneEnds() throws Exception {
    String net = docker.ok("network", "create", "half-left");
    String id = docker.ok("run", "-d", "--network", "half-left", image, "sleep", "300");
    String pid = docker.ok("inspect", "-f", "{{.State.Pid}}", id);
    server.stopAgent();
    Path file = server.dataRoot().resolve("agent/zones/" + id + "/net/" + net + ".json");
    assertThat(file).exists();
    Files.delete(file);
    new ProcessBuilder("kill", "-9", pid).start().waitFor(10, TimeUnit.SECONDS);
    Thread.sleep(500);
    server.startAgent();
    assertThat(docker.ok("wait", id)).isEqualTo("137");
    docker.ok("rm", id);
    docker.ok("network", "rm", "half-left");
    String bridge =
        ZoneNetwork.bridgeName(
            Files.readString(server.dataRoot().resolve("agent/cn-uuid")).trim(), net);
    assertThat(Path.of("/sys/class/net", bridge)).doesNotExist();
  }

  @Test
  void frontendRestart_rebuildsItsViewFromTheAgent() throws Exception {
    String running = docker.ok("run", "-d", "--name", "keeps-running", image, "sleep", "300");
    String exited = docker.ok("run", "-d", "--name", "has-exited", image, "sh", "-c", "exit 4");
    assertThat(docker.ok("wait", exited)).isEqualTo("4");
    server.restartFrontend();
    String ps = "";
    for (int i = 0; i < 50 && !ps.contains("has-exited"); i++) {
      ps = docker.ok("ps", "-a", "--format", "{{.Names}} {{.Status}}");
      Thread.sleep(50);
    }
    assertThat(ps).contains("keeps-running Up", "has-exited Exited (4)");
    assertThat(docker.ok("inspect", "-f", "{{.Id}}", "keeps-running")).isEqualTo(running);
    docker.ok("rm", "-f", running, exited);
  }

  @Test
  void anAttachedExec_outlivesTheAgent() throws Exception {
    String id = docker.ok("run", "-d", image, "sleep", "300");
    ProcessBuilder pb =
        new ProcessBuilder("docker", "exec", id, "sh", "-c", "sleep 1; echo done > /tmp/after");
    pb.environment().put("DOCKER_HOST", server.host());
    Process client =
        pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    Thread.sleep(300);
    server.stopAgent();
    server.startAgent();
    client.destroyForcibly().waitFor();
    String after = "";
    for (int i = 0; i < 40 && !after.equals("done"); i++) {
      Thread.sleep(100);
      after = docker.run("exec", id, "cat", "/tmp/after").out().trim();
    }
    assertThat(after).isEqualTo("done");
    docker.ok("rm", "-f", id);
  }
}
