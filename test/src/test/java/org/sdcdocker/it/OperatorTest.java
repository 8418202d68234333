package org.sdcdocker.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.JavascriptExecutor;
import org.sdcdocker.it.support.AdminCli;
import org.sdcdocker.it.support.Browser;
import org.sdcdocker.it.support.DockerCli;
import org.sdcdocker.it.support.DockerCli.Result;
import org.sdcdocker.it.support.LocalRegistry;
import org.sdcdocker.it.support.SdcServer;
import org.sdcdocker.it.support.ServerProcess;
import org.sdcdocker.it.support.SocketTunnel;
import org.sdcdocker.it.support.TestFiles;
import org.sdcdocker.it.support.TestImages;
import org.sdcdocker.protocol.Json;

/**
 * What an operator does when a user complains, with sdc-dockeradm on a server of its own: finds
 * where a container is (its node, zone directory, init log, conmon) and drains a node.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OperatorTest {
  private Path dir;
  private ServerProcess server;
  private LocalRegistry registry;
  private DockerCli docker;
  private String image;

  @BeforeAll
  void start() throws Exception {
    dir = Files.createTempDirectory("sdc-operator");
    server = new ServerProcess(dir.resolve("data"), LocalRegistry.freePort());
    server.start();
    registry = LocalRegistry.start(null, null);
    TestImages.push(registry, "x/busybox", "latest", TestImages.busyboxLayer(), null, null);
    image = registry.host() + "/x/busybox:latest";
    docker = new DockerCli(server.host());
    docker.ok("pull", image);
  }

  @AfterAll
  void stop() throws Exception {
    try {
      for (String id : docker.ok("ps", "-aq").lines().toList()) {
        docker.run("rm", "-f", id);
      }
      server.close();
      registry.close();
      assertThat(SdcServer.leftovers(dir.resolve("data"))).as("left behind").isEmpty();
    } finally {
      TestFiles.deleteTree(dir);
    }
  }

  private Result admin(String... args) throws Exception {
    return AdminCli.sdcDockeradm(server.adminSocket(), args);
  }

  /** The server's one compute node, as sdc-dockeradm lists it. */
  private String nodeUuid() throws Exception {
    return Json.MAPPER.readTree(admin("node", "ls", "--json").out()).get(0).get("UUID").asText();
  }

  @Test
  void containerWhere_namesItsNodeZoneInitLogAndProcesses() throws Exception {
    String id = docker.ok("run", "-d", "--name", "slow", image, "sleep", "600");
    JsonNode w = Json.MAPPER.readTree(admin("container", "where", "slow", "--json").out());
    assertThat(w.get("Id").asText()).isEqualTo(id);
    assertThat(w.get("Account").asText()).isEqualTo("default");
    assertThat(w.get("State").asText()).isEqualTo("running");
    String node = nodeUuid();
    assertThat(w.get("Node").asText()).isEqualTo(node);
    Path zone = Path.of(w.get("ZoneDirectory").asText());
    assertThat(zone).isDirectory().startsWith(server.dataRoot());
    String inside = docker.ok("exec", id, "cat", "/var/log/sdc-dockerinit.log");
    assertThat(Files.readString(Path.of(w.get("InitLog").asText())))
        .startsWith(inside) // the exec's own steps follow
        .contains("dockerinit starting as pid 1", "ARGV[0]:CMD \"sleep\"");
    long conmon = w.get("ConmonPid").asLong();
    assertThat(Files.readString(Path.of("/proc", Long.toString(conmon), "comm")).trim())
        .isEqualTo("conmon");
    long pid = w.get("Pid").asLong();
    assertThat(Files.readString(Path.of("/proc", Long.toString(pid), "status")))
        .contains("PPid:\t" + conmon);
    // by a prefix of its id, as a table
    assertThat(admin("container", "where", id.substring(0, 8)).out())
        .containsPattern("ZONE DIRECTORY +" + zone)
        .containsPattern("CONMON PID +" + conmon);
    assertThat(admin("container", "where", "nosuch").err()).contains("No such container: nosuch");
    // stopped: no process, and the log where the host has it now
    docker.ok("stop", "-t", "0", id);
    JsonNode stopped = Json.MAPPER.readTree(admin("container", "where", id, "--json").out());
    assertThat(stopped.get("Pid").asLong()).isZero();
    assertThat(Files.readString(Path.of(stopped.get("InitLog").asText())))
        .contains("dockerinit starting as pid 1");
    docker.ok("rm", "-f", id);
  }

  /** What the dashboard shows of a container (its state, or "" when it lists none). */
  private static String shown(Browser b, String id) {
    return text(b, "[data-container='" + id + "'] .cstate");
  }

  /** The text of the page's elements {@code css} selects, joined by "|". */
  private static String text(Browser b, String css) {
    return (String)
        ((JavascriptExecutor) b.driver)
            .executeScript(
                "return Array.from(document.querySelectorAll(arguments[0]))"
                    + ".map(e => e.textContent).join('|');",
                css);
  }

  @Test
  void theDashboard_inARealBrowser_followsContainersStartedAndStoppedThroughTheCli()
      throws Exception {
    String uuid = nodeUuid();
    // as an operator would reach it: ssh -L PORT:admin.sock, here a loopback tunnel to the socket
    try (SocketTunnel tunnel = new SocketTunnel(server.adminSocket());
        Browser b = new Browser()) {
      b.driver.get(tunnel.url() + "/dashboard");
      assertThat(b.driver.getTitle()).isEqualTo("sdc-docker fleet");
      b.await(30, d -> text(b, "[data-node='" + uuid + "'] .state").equals("running"));
      String id = docker.ok("run", "-d", "--name", "dash-web", image, "sleep", "600");
      b.await(30, d -> shown(b, id).equals("running"));
      b.await(30, d -> text(b, "#accounts [data-account='default'] .running").equals("1"));
      assertThat(text(b, "[data-container='" + id + "']")).contains("dash-web", "default");
      docker.ok("stop", "-t", "0", id);
      b.await(30, d -> shown(b, id).equals("exited"));
      b.await(30, d -> text(b, "#accounts [data-account='default'] .running").equals("0"));
      b.await(30, d -> text(b, "#events .action").contains("die"));
      docker.ok("rm", id);
      b.await(30, d -> shown(b, id).isEmpty());
      assertThat(text(b, "#updated")).startsWith("updated ");
    }
  }

  @Test
  void theAdminApi_takesNoChangeFromAWebPage() throws Exception {
    String uuid = nodeUuid();
    Result r =
        AdminCli.run(
            List.of(
                "curl",
                "-sS",
                "-w",
                " %{http_code}",
                "-X",
                "POST",
                "-H",
                "Origin: http://elsewhere.example",
                "--unix-socket",
                server.adminSocket().toString(),
                "http://admin/nodes/" + uuid + "/reserve"));
    assertThat(r.out()).contains("the admin API takes no changes from web pages").endsWith(" 403");
    assertThat(
            Json.MAPPER
                .readTree(admin("node", "ls", "--json").out())
                .get(0)
                .get("Reserved")
                .asBoolean())
        .isFalse();
  }

  @Test
  void nodeDrain_reservesTheNode_andWaitsUntilNothingRunsOnIt() throws Exception {
    String uuid = nodeUuid();
    String id = docker.ok("run", "-d", image, "sleep", "600");
    Result early = admin("node", "drain", uuid, "--timeout", "2");
    assertThat(early.exitCode()).isEqualTo(1);
    assertThat(early.err())
        .contains(
            "compute node " + uuid + " still runs 1 container(s) after 2 s; it stays reserved");
    assertThat(docker.run("create", image, "true").err()).contains("reserved");
    docker.ok("stop", "-t", "0", id);
    Result drained = admin("node", "drain", uuid, "--timeout", "30");
    assertThat(drained.out()).as(drained.all()).contains("drained compute node " + uuid);
    assertThat(admin("node", "unreserve", uuid).exitCode()).isZero();
    docker.ok("rm", id, docker.ok("create", image, "true"));
  }

  @Test
  void metrics_countRequestsCreatesPullsAndShowContainersAndNodes() throws Exception {
    String id = docker.ok("run", "-d", image, "sleep", "600");
    docker.run("inspect", "no-such-container");
    String uuid = nodeUuid();
    Result m =
        AdminCli.run(
            List.of(
                "curl",
                "-sS",
                "--unix-socket",
                server.adminSocket().toString(),
                "http://admin/metrics"));
    assertThat(m.exitCode()).as(m.all()).isZero();
    assertThat(m.out())
        .containsPattern(
            "sdc_api_requests_seconds_count\\{method=\"POST\",route=\"/containers/create\","
                + "status=\"201\"\\} [1-9]")
        .containsPattern(
            "sdc_api_requests_seconds_count\\{method=\"GET\",route=\"/containers/\\{id\\}/json\","
                + "status=\"404\"\\} [1-9]")
        .containsPattern(
            "sdc_agent_requests_seconds_count\\{node=\""
                + uuid
                + "\",outcome=\"ok\",verb=\"create\"\\} [1-9]")
        .containsPattern("sdc_creates_total\\{outcome=\"ok\"\\} [1-9]")
        .containsPattern("sdc_pulls_total\\{outcome=\"ok\"\\} [1-9]")
        .containsPattern("sdc_pull_bytes_total [1-9]")
        .containsPattern("sdc_containers\\{node=\"" + uuid + "\",state=\"running\"\\} 1")
        .containsPattern("sdc_node_live\\{hostname=\"[^\"]+\",node=\"" + uuid + "\"\\} 1")
        .containsPattern(
            "sdc_node_heartbeat_age_seconds\\{hostname=\"[^\"]+\",node=\"" + uuid + "\"\\} [0-9]")
        .containsPattern("sdc_node_memory_bytes\\{[^}]*\\} [1-9]")
        .contains("jvm_memory_used_bytes");
    docker.ok("rm", "-f", id);
  }

  @Test
  void oneRequest_isFollowedByItsIdThroughTheFrontEndAndTheAgent() throws Exception {
    String id = "trace-" + Long.toHexString(System.nanoTime());
    Result created =
        AdminCli.run(
            List.of(
                "curl",
                "-sS",
                "-D",
                "-",
                "-X",
                "POST",
                "-H",
                "Content-Type: application/json",
                "-H",
                "X-Request-Id: " + id,
                "-d",
                "{\"Image\":\"" + image + "\",\"Cmd\":[\"true\"]}",
                server.url() + "/containers/create?name=traced"));
    assertThat(created.out()).as(created.all()).containsIgnoringCase("X-Request-Id: " + id);
    // the front end's line is written when the answer has gone: wait for it (5 s at most)
    List<JsonNode> lines = new ArrayList<>();
    for (int i = 0; i < 50 && lines.stream().noneMatch(OperatorTest::fromFrontEnd); i++) {
      Thread.sleep(i == 0 ? 0 : 100);
      lines.clear();
      for (String l : Files.readAllLines(server.log())) {
        if (l.startsWith("{") && l.contains(id)) {
          lines.add(Json.MAPPER.readTree(l));
        }
      }
    }
    assertThat(lines)
        .anySatisfy(
            l -> {
              assertThat(l.get("component").asText()).isEqualTo("frontend");
              assertThat(l.get("message").asText()).startsWith("POST /containers/create 201 ");
            })
        .anySatisfy(
            l -> {
              assertThat(l.get("component").asText()).isEqualTo("agent");
              assertThat(l.get("message").asText()).startsWith("create done in ");
              assertThat(l.get("node").asText()).isNotEmpty();
            })
        .allSatisfy(l -> assertThat(l.get("request").asText()).isEqualTo(id));
    // a request without an id gets one
    Result other = AdminCli.run(List.of("curl", "-sS", "-D", "-", server.url() + "/version"));
    assertThat(other.out()).containsPattern("(?i)X-Request-Id: [0-9a-f]{16}");
    docker.ok("rm", "traced");
  }

  private static boolean fromFrontEnd(JsonNode line) {
    return line.path("component").asText().equals("frontend");
  }
}
