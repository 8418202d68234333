package org.sdcdocker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.JavascriptExecutor;
import org.sdcdocker.frontend.account.Certificates;
import org.sdcdocker.it.support.Browser;
import org.sdcdocker.it.support.DockerCli;
import org.sdcdocker.it.support.DockerCli.Result;
import org.sdcdocker.it.support.FleetProcesses;
import org.sdcdocker.it.support.LocalRegistry;
import org.sdcdocker.it.support.SocketTunnel;
import org.sdcdocker.it.support.TestImages;
import org.sdcdocker.launcher.Admin;
import org.sdcdocker.protocol.Json;

/**
 * A fleet of separate JVMs on one machine: two front ends and three agents, each agent in a network
 * namespace of its own on an underlay, the event bus between them over TLS. The docker CLI talks to
 * either front end.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FleetTest {
  @TempDir static Path dir;
  private FleetProcesses fleet;
  private FleetProcesses.Member fe1;
  private FleetProcesses.Member fe2;
  private FleetProcesses.Member a1;
  private FleetProcesses.Member a2;
  private FleetProcesses.Member a3;
  private LocalRegistry registry;
  private int api1;
  private int api2;
  private String d1Host;
  private String d2Host;
  private DockerCli d1;
  private DockerCli d2;
  private String image;

  @BeforeAll
  void start() throws Exception {
    registry = LocalRegistry.start(null, null);
    TestImages.push(registry, "x/busybox", "latest", TestImages.busyboxLayer(), null, null);
    image = registry.host() + "/x/busybox";
    fleet = FleetProcesses.create(dir);
    api1 = LocalRegistry.freePort();
    api2 = LocalRegistry.freePort();
    fe1 = fleet.frontend(api1);
    fe1.start();
    FleetProcesses.awaitApi(fe1, api1);
    a1 = fleet.agent();
    a2 = fleet.agent();
    a3 = fleet.agent();
    a1.start();
    a2.start();
    a3.start();
    fe2 = fleet.frontend(api2);
    fe2.start();
    FleetProcesses.awaitApi(fe2, api2);
    d1Host = "tcp://127.0.0.1:" + api1;
    d1 = new DockerCli(d1Host);
    d2Host = "tcp://127.0.0.1:" + api2;
    d2 = new DockerCli(d2Host);
    awaitNodes(d1, 3);
    awaitNodes(d2, 3);
    d1.ok("pull", image);
  }

  /** Each test leaves no container behind, failed or not. */
  @AfterEach
  void removeContainers() throws Exception {
    String left = d1.run("ps", "-aq").out().trim();
    if (!left.isEmpty()) {
      List<String> rm = new ArrayList<>(List.of("rm", "-f"));
      rm.addAll(List.of(left.split("\\s+")));
      d1.run(60, rm.toArray(String[]::new));
    }
  }

  @AfterAll
  void stop() throws Exception {
    try {
      if (d1 != null) {
        removeContainers();
      }
    } finally {
      if (fleet != null) {
        fleet.close();
      }
      if (registry != null) {
        registry.close();
      }
    }
  }

  @Test
  void containersSpreadOverTheNodes_andEitherFrontEndServesThem() throws Exception {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      ids.add(d1.ok("run", "-d", image, "sh", "-c", "echo up " + i + "; exec sleep 600").trim());
    }
    // spread over the three nodes (what to look at when not: each node's zones, these ids, ps)
    String seen =
        "zones "
            + zonesOn(a1)
            + " "
            + zonesOn(a2)
            + " "
            + zonesOn(a3)
            + "; made "
            + ids
            + "; ps:\n"
            + d1.run("ps", "-a", "--no-trunc").out()
            + "\ninfo:\n"
            + d1.run("info").out();
    assertThat(zonesOn(a1)).as(seen).hasSize(2);
    assertThat(zonesOn(a2)).as(seen).hasSize(2);
    assertThat(zonesOn(a3)).as(seen).hasSize(2);

    // the other front end knows them from the agents
    assertThat(awaitPs(d2, ids.size())).containsExactlyInAnyOrderElementsOf(shortIds(ids));

    // the data plane of a node in another namespace, through either front end
    String onA2 = ids.stream().filter(id -> zonesOn(a2).contains(id)).findFirst().orElseThrow();
    assertThat(d1.ok("exec", onA2, "echo", "hi from a2")).isEqualTo("hi from a2");
    String a2Uuid = Files.readString(a2.dataRoot().resolve("cn-uuid")).trim();
    assertThat(d2.ok("inspect", "-f", "{{.Node.ID}} {{.Node.Status}}", onA2))
        .isEqualTo(a2Uuid + " Healthy");
    assertThat(d1.ok("info")).contains(a2Uuid, "└ Status: Healthy", "└ Reserved Memory");
    assertThat(d2.ok("logs", onA2)).startsWith("up ");
    assertThat(d2.ok("exec", onA2, "hostname")).isEqualTo(onA2.substring(0, 12));

    // what only inspect gives back, kept by the front end that made it, through the other at once
    String made = d1.ok("create", "--dns", "10.9.9.9", "-i", image, "true").trim();
    ids.add(made);
    assertThat(d2.ok("inspect", "-f", "{{.HostConfig.Dns}} {{.Config.AttachStdin}}", made))
        .isEqualTo("[10.9.9.9] true");

    List<String> rm = new ArrayList<>(List.of("rm", "-f"));
    rm.addAll(ids);
    d2.ok(rm.toArray(String[]::new));
    assertThat(zonesOn(a1)).isEmpty();
    assertThat(zonesOn(a2)).isEmpty();
    assertThat(zonesOn(a3)).isEmpty();
    assertThat(d1.ok("ps", "-aq")).isEmpty();
  }

  @Test
  void aNamedVolume_isOneVolume_andItsContainersGoToTheNodeThatHoldsIt() throws Exception {
    // made through one front end, then again through the other: the same volume, as Docker's
    d1.ok("volume", "create", "kept");
    d2.ok("volume", "create", "kept");
    assertThat(d2.ok("volume", "ls", "-q", "--filter", "name=kept")).isEqualTo("kept");
    // the account's next volume goes to another node (the fewest of its volumes), as a project's
    // volumes made before its containers do, so that those containers spread
    d2.ok("volume", "create", "apart");
    assertThat(nodeDirOf(d1.ok("volume", "inspect", "-f", "{{.Mountpoint}}", "apart")))
        .isNotEqualTo(nodeDirOf(d2.ok("volume", "inspect", "-f", "{{.Mountpoint}}", "kept")));
    d1.ok("volume", "rm", "apart");
    // a container that mounts it goes where its data is, whichever front end it is made through:
    // each run sees the lines of those before (spread, they would land on three nodes); the
    // second volume, new, is made on that node too
    for (int i = 1; i <= 4; i++) {
      DockerCli d = i % 2 == 0 ? d2 : d1;
      String lines =
          d.ok(
              "run",
              "--rm",
              "-v",
              "kept:/d",
              "-v",
              "kept-too:/e",
              image,
              "sh",
              "-c",
              "echo "
                  + i
                  + " >> /d/lines; echo "
                  + i
                  + " >> /e/lines; cat /d/lines /e/lines | wc -l");
      assertThat(lines.trim()).isEqualTo(Integer.toString(2 * i));
    }
    // removed through either front end, where they are
    d2.ok("volume", "rm", "kept");
    d1.ok("volume", "rm", "kept-too");
    assertThat(d1.ok("volume", "ls", "-q", "--filter", "name=kept")).isEmpty();
    assertThat(d2.ok("volume", "ls", "-q", "--filter", "name=kept")).isEmpty();
    assertThat(d2.run("volume", "rm", "kept").err()).contains("no such volume");
  }

  /** The data root of the node a volume's mount point is on. */
  private static String nodeDirOf(String mountpoint) {
    return mountpoint.substring(0, mountpoint.indexOf("/volumes/"));
  }

  @Test
  void anAgentKilled_findsItsContainersRunningWhenItComesBack() throws Exception {
    List<String> ids = new ArrayList<>();
    ids.add(d1.ok("run", "-d", "-v", "held:/h", image, "sleep", "600").trim());
    d1.ok("volume", "create", "lonely"); // that no container mounts
    ids.add(d1.ok("run", "-d", image, "sleep", "600").trim());
    // a stop waiting on a node whose agent dies fails then, with the node named
    String stubborn =
        d1.ok("run", "-d", image, "sh", "-c", "trap '' TERM; sleep 600 & wait; sleep 600").trim();
    ids.add(stubborn);
    var stopping =
        new ProcessBuilder("docker", "-H", d1Host, "stop", "-t", "60", stubborn)
            .redirectErrorStream(true)
            .start();
    Thread.sleep(1000); // the stop is on its way: the container ignores SIGTERM
    // the operator's dashboard, open in a browser through a tunnel to fe1's admin socket
    SocketTunnel tunnel = new SocketTunnel(fleet.adminSocket(fe1));
    Browser browser = new Browser();
    try {
      browser.driver.get(tunnel.url() + "/dashboard");
      browser.await(30, b -> nodeStates(browser).stream().filter("running"::equals).count() == 3);
      a1.kill();
      a2.kill();
      a3.kill();
      // no heartbeat for 7 s, or the agent left the cluster: the page says so
      browser.await(
          30,
          b ->
              !nodeStates(browser).contains("running")
                  && nodeStates(browser).stream().filter("unknown"::equals).count() >= 3);
    } finally {
      browser.close();
      tunnel.close();
    }
    assertThat(stopping.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String stopOut = new String(stopping.getInputStream().readAllBytes());
    assertThat(stopOut).contains("stopped responding during stop");
    awaitNodes(d1, 0); // no heartbeat for 7 s, or the agent left the cluster: not live
    awaitNodes(d2, 0);
    assertThat(d1.ok("info")).contains("Compute nodes: 0 (3 not responding)");
    assertThat(d2.ok("ps", "--format", "{{.Status}}").lines().distinct().toList())
        .containsExactly("Host Down");
    var refused = d1.run("restart", ids.get(0));
    assertThat(refused.exitCode()).isEqualTo(1);
    assertThat(refused.err()).contains("is not responding (last heard");
    // a named volume on a node that is down: a container naming it is refused, not given an empty
    // volume of that name on another node
    var volumeAway = d2.run("run", "-d", "-v", "held:/h", image, "true");
    assertThat(volumeAway.exitCode()).isNotZero();
    assertThat(volumeAway.err()).contains("the compute node of its volume held", "not available");
    // and one no container mounts: where it is, the cluster knows
    var lonelyAway = d1.run("run", "-d", "-v", "lonely:/l", image, "true");
    assertThat(lonelyAway.exitCode()).isNotZero();
    assertThat(lonelyAway.err()).contains("the compute node of its volume lonely", "not available");
    for (String verb : List.of("inspect", "rm")) {
      var away = d2.run("volume", verb, "lonely");
      assertThat(away.exitCode()).isNotZero();
      assertThat(away.err()).contains("volume lonely is on compute node", "not available now");
    }
    // one container's process ends while no agent watches (as if it crashed)
    String crashed = ids.get(0);
    long since = System.currentTimeMillis() / 1000 - 1;
    for (String pid :
        Files.readAllLines(Path.of("/sys/fs/cgroup/pids/sdc-docker", crashed, "cgroup.procs"))) {
      ProcessHandle.of(Long.parseLong(pid.trim())).ifPresent(ProcessHandle::destroyForcibly);
    }
    a1.start();
    a2.start();
    a3.start();
    a1.awaitLog("sdc-docker: agent of the fleet", 90);
    a2.awaitLog("sdc-docker: agent of the fleet", 90);
    a3.awaitLog("sdc-docker: agent of the fleet", 90);
    awaitNodes(d1, 3);
    awaitNodes(d2, 3);
    List<String> running = awaitPs(d1, ids.size() - 1);
    assertThat(d1.ok("ps", "--format", "{{.Status}}")).doesNotContain("Host Down");
    assertThat(d2.ok("inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", crashed))
        .isEqualTo("exited 137");
    String until = Long.toString(System.currentTimeMillis() / 1000 + 1);
    assertThat(d2.ok("events", "--since", Long.toString(since), "--until", until))
        .contains("container die " + crashed);
    ids.remove(crashed);
    assertThat(running).containsExactlyInAnyOrderElementsOf(shortIds(ids));
    for (String id : ids) {
      assertThat(d1.ok("exec", id, "echo", "still")).isEqualTo("still");
    }
    // their nodes are back on the account's fabric: the two left, on two nodes, reach each other
    assertThat(agentOf(ids.get(0))).isNotSameAs(agentOf(ids.get(1)));
    String ip0 = d1.ok("inspect", "-f", "{{.NetworkSettings.IPAddress}}", ids.get(0)).trim();
    String ip1 = d1.ok("inspect", "-f", "{{.NetworkSettings.IPAddress}}", ids.get(1)).trim();
    assertThat(pingsWithin(ids.get(0), ip1, 10)).isTrue();
    assertThat(pingsWithin(ids.get(1), ip0, 10)).isTrue();
    List<String> rm = new ArrayList<>(List.of("rm", "-f"));
    rm.addAll(ids);
    d1.ok(rm.toArray(String[]::new));
    d2.ok("volume", "rm", "lonely");
  }

  @Test
  void aFrontEndKilledDuringAPullAndALogsFollow_theOtherServesEverything() throws Exception {
    byte[] filler = new byte[48 << 20]; // incompressible: the pull takes a moment
    new Random(7).nextBytes(filler);
    TestImages.push(
        registry, "x/big", "latest", TestImages.busyboxLayerWith("filler", filler), null, null);
    String big = registry.host() + "/x/big";
    d1.ok("tag", image, "x/untagged-while-away:1");
    assertThat(d2.run("image", "inspect", "x/untagged-while-away:1").exitCode()).isZero();
    String c =
        d2.ok(
                "run",
                "-d",
                image,
                "sh",
                "-c",
                "i=0; while [ $i -lt 3000 ]; do echo line $i; i=$((i+1)); sleep 0.1; done")
            .trim();
    Path followed = dir.resolve("followed.txt");
    Process follow =
        new ProcessBuilder("docker", "-H", d1Host, "logs", "-f", c)
            .redirectErrorStream(true)
            .redirectOutput(followed.toFile())
            .start();
    Process pull =
        new ProcessBuilder("docker", "-H", d1Host, "pull", big).redirectErrorStream(true).start();
    for (int i = 0; i < 100 && Files.size(followed) < 20; i++) {
      Thread.sleep(100);
    }
    fe1.kill();
    Result taggedAtStart = null;
    List<String> taggedThroughFe2 = new ArrayList<>();
    try {
      // the clients of the dead front end see their connections end
      assertThat(follow.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(pull.waitFor(60, TimeUnit.SECONDS)).isTrue();
      String pulled = new String(pull.getInputStream().readAllBytes());
      // the other front end serves everything; a pull that reported success is there already
      if (pull.exitValue() == 0) {
        assertThat(d2.run("image", "inspect", big).exitCode()).as(pulled).isZero();
      } else {
        d2.ok("pull", big);
      }
      assertThat(d2.ok("run", "--rm", big, "stat", "-c", "%s", "/filler"))
          .isEqualTo(Integer.toString(48 << 20));
      assertThat(d2.ok("ps", "-q", "--no-trunc")).contains(c);
      d2.ok("rmi", "x/untagged-while-away:1");
      // nothing lost: the container ran on, its log whole; the follower saw its beginning
      List<String> lines = d2.ok("logs", c).lines().toList();
      for (int i = 0; i < lines.size(); i++) {
        assertThat(lines.get(i)).isEqualTo("line " + i);
      }
      List<String> seen = Files.readAllLines(followed);
      assertThat(seen.size()).isGreaterThan(1).isLessThanOrEqualTo(lines.size());
      assertThat(lines.subList(0, seen.size() - 1)).isEqualTo(seen.subList(0, seen.size() - 1));
    } finally {
      follow.destroyForcibly();
      pull.destroyForcibly();
      d2.run("tag", image, "x/untagged-as-fe1-started:1");
      fe1.start();
      // while fe1 starts and copies fe2's images, fe2's clients tag and untag: whatever fe1's
      // copy of fe2's state was taken before, fe1 ends with what fe2 has
      int afterUp = 0; // tags once fe1 answers: its copy is on its way then
      for (int i = 0; i < 200 && afterUp < 8; i++) { // fe1 answers once its copy is done
        if (afterUp == 0 && answers(api1)) {
          FleetProcesses.awaitApi(fe1, api1);
          // a tag at once, as fe1 begins to serve
          taggedAtStart = d1.run("tag", image, "x/tagged-as-it-started:1");
        }
        if (taggedAtStart != null) {
          afterUp++;
        }
        taggedThroughFe2.add(
            d2.run("tag", image, "x/tagged-as-fe1-started:" + i).exitCode() == 0
                ? "x/tagged-as-fe1-started:" + i
                : "(refused)");
        if (i == 3) {
          d2.run("rmi", "x/untagged-as-fe1-started:1");
        }
        Thread.sleep(taggedAtStart == null ? 400 : 150);
      }
      FleetProcesses.awaitApi(fe1, api1);
      awaitNodes(d1, 3);
    }
    // the front end started again has what happened while it was away
    assertThat(awaitImage(d1, big)).isTrue();
    assertThat(d1.run("image", "inspect", "x/untagged-while-away:1").exitCode()).isEqualTo(1);
    // and, its copy done, what it was asked to do meanwhile, as fe2 has it
    assertThat(taggedAtStart).isNotNull();
    assertThat(taggedAtStart.exitCode()).as(taggedAtStart.all()).isZero();
    assertThat(d1.run("image", "inspect", "x/tagged-as-it-started:1").exitCode()).isZero();
    assertThat(d2.run("image", "inspect", "x/tagged-as-it-started:1").exitCode()).isZero();
    assertThat(taggedThroughFe2).doesNotContain("(refused)");
    for (String t : taggedThroughFe2) {
      assertThat(awaitImage(d1, t)).as(t).isTrue();
    }
    assertThat(d2.run("image", "inspect", "x/untagged-as-fe1-started:1").exitCode()).isEqualTo(1);
    assertThat(d1.run("image", "inspect", "x/untagged-as-fe1-started:1").exitCode()).isEqualTo(1);
    for (String t : taggedThroughFe2) {
      d2.ok("rmi", t);
    }
    assertThat(d1.ok("ps", "-q", "--no-trunc")).contains(c);
    d1.ok("rm", "-f", c);
    d1.ok("rmi", big);
  }

  @Test
  void anAgentStoppedFor20Seconds_isNotRespondingMeanwhile_thenServesAgain() throws Exception {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      ids.add(d1.ok("run", "-d", image, "sleep", "600").trim());
    }
    String onA1 = ids.stream().filter(id -> zonesOn(a1).contains(id)).findFirst().orElseThrow();
    long stoppedAt = System.nanoTime();
    a1.signal("STOP");
    try {
      awaitNodes(d1, 2);
      awaitNodes(d2, 2);
      assertThat(d1.ok("ps", "--format", "{{.ID}} {{.Status}}"))
          .contains(onA1.substring(0, 12) + " Host Down");
      var refused = d2.run("exec", onA1, "true");
      assertThat(refused.exitCode()).isNotZero();
      assertThat(refused.err()).contains("is not responding (last heard");
      String elsewhere = d1.ok("run", "-d", image, "sleep", "600").trim();
      assertThat(zonesOn(a1)).doesNotContain(elsewhere);
      long left = 20_000 - (System.nanoTime() - stoppedAt) / 1_000_000;
      if (left > 0) {
        Thread.sleep(left);
      }
    } finally {
      a1.signal("CONT");
    }
    awaitNodes(d1, 3);
    awaitNodes(d2, 3);
    // Hazelcast had removed the member after 10 s without its heartbeat; it merges back, and
    // requests reach the node again through both front ends (60 s at most)
    for (DockerCli d : List.of(d1, d2)) {
      var again = d.run("exec", onA1, "echo", "back");
      for (int i = 0; i < 60 && again.exitCode() != 0; i++) {
        Thread.sleep(1000);
        again = d.run("exec", onA1, "echo", "back");
      }
      assertThat(again.out().trim()).as(again.all()).isEqualTo("back");
    }
    assertThat(d2.ok("ps", "--format", "{{.Status}}")).doesNotContain("Host Down");
  }

  @Test
  void theWholeFleetRestarted_comesBackWithItsContainersImagesAndNames() throws Exception {
    d1.ok("network", "create", "kept");
    try {
      wholeFleetRestarted();
    } finally {
      removeContainers();
      d1.run("network", "rm", "kept");
    }
  }

  private void wholeFleetRestarted() throws Exception {
    String web =
        d1.ok("run", "-d", "--name", "web", "--dns", "10.9.9.9", image, "sleep", "600").trim();
    String db =
        d2.ok("run", "-d", "--name", "db", "--network", "kept", image, "sleep", "600").trim();
    d1.ok("tag", image, "x/kept:1");
    assertThat(d2.run("image", "inspect", "x/kept:1").exitCode()).isZero();
    long before = System.currentTimeMillis() / 1000 - 120;
    for (FleetProcesses.Member m : List.of(fe2, a1, a2, a3, fe1)) {
      m.kill();
    }
    // an agent that comes up before any front end (a fleet powered on, its nodes first) waits
    a1.start();
    a1.awaitLog("no front end of the fleet", 90);
    fe1.start();
    FleetProcesses.awaitApi(fe1, api1);
    a2.start();
    a3.start();
    fe2.start();
    FleetProcesses.awaitApi(fe2, api2);
    awaitNodes(d1, 3);
    awaitNodes(d2, 3);
    for (DockerCli d : List.of(d1, d2)) {
      assertThat(awaitPs(d, 2)).containsExactlyInAnyOrderElementsOf(shortIds(List.of(web, db)));
      assertThat(d.run("image", "inspect", "x/kept:1").exitCode()).isZero();
      var taken = d.run("create", "--name", "web", image, "true");
      assertThat(taken.err()).contains("Conflict. The container name \"/web\" is already in use");
    }
    assertThat(d2.ok("inspect", "-f", "{{.HostConfig.Dns}}", web)).isEqualTo("[10.9.9.9]");
    // the events from before the restart, kept on the front ends' disks
    String until = Long.toString(System.currentTimeMillis() / 1000 + 1);
    for (DockerCli d : List.of(d1, d2)) {
      assertThat(
              d.ok(
                  "events",
                  "--since",
                  Long.toString(before),
                  "--until",
                  until,
                  "--filter",
                  "container=" + web,
                  "--format",
                  "{{.Action}}"))
          .contains("create", "start");
    }
    assertThat(d1.ok("exec", db, "echo", "db")).isEqualTo("db");
    assertThat(d2.ok("exec", web, "echo", "web")).isEqualTo("web");
    d2.ok("rmi", "x/kept:1");
    // the fleet's user-defined network, kept on the front ends' disks: db's address stays its own
    for (DockerCli d : List.of(d1, d2)) {
      assertThat(d.ok("network", "ls", "--format", "{{.Name}}")).contains("kept");
    }
    d2.ok(
        "run",
        "-d",
        "--name",
        "again",
        "--network",
        "kept",
        "-e",
        "affinity:container!=db",
        image,
        "sleep",
        "600");
    assertThat(d1.ok("inspect", "-f", "{{.NetworkSettings.Networks.kept.IPAddress}}", "again"))
        .isNotEqualTo(d1.ok("inspect", "-f", "{{.NetworkSettings.Networks.kept.IPAddress}}", db));
    assertThat(pingsWithin("again", "db", 10)).isTrue();
  }

  /**
   * What an operator does on a fleet when a user complains: finds the container (its node, zone
   * directory, init log, conmon) through one front end, and drains its node through the other.
   */
  @Test
  void anOperatorFindsAContainer_andDrainsItsNode() throws Exception {
    String id = d2.ok("run", "-d", "--name", "drained", image, "sleep", "600").trim();
    var w = Json.MAPPER.readTree(fleet.admin(fe1, "container", "where", "drained", "--json").out());
    assertThat(w.path("Id").asText()).isEqualTo(id);
    String node = w.path("Node").asText();
    FleetProcesses.Member agent = null;
    for (FleetProcesses.Member a : List.of(a1, a2, a3)) {
      if (Files.readString(a.dataRoot().resolve("cn-uuid")).trim().equals(node)) {
        agent = a;
      }
    }
    assertThat(agent).as("the agent of node " + node).isNotNull();
    assertThat(Path.of(w.path("ZoneDirectory").asText())).startsWith(agent.dataRoot());
    assertThat(Files.readString(Path.of(w.path("InitLog").asText())))
        .contains("dockerinit starting as pid 1");
    assertThat(Files.readString(Path.of("/proc", w.path("ConmonPid").asText(), "comm")).trim())
        .isEqualTo("conmon");
    var early = fleet.admin(fe2, "node", "drain", node, "--timeout", "2");
    assertThat(early.exitCode()).isEqualTo(1);
    assertThat(early.err()).contains("still runs 1 container(s) after 2 s; it stays reserved");
    d1.ok("stop", "-t", "0", id);
    var drained = fleet.admin(fe2, "node", "drain", node, "--timeout", "30");
    assertThat(drained.out()).as(drained.all()).contains("drained compute node " + node);
    assertThat(fleet.admin(fe1, "node", "unreserve", node).exitCode()).isZero();
    d1.ok("rm", id);
  }

  /**
   * An account's containers on different nodes share its fabric: one subnet across the fleet, each
   * node's bridge joined to the others' by the kernel's VXLAN (the tunnel's MTU accounted for in
   * the containers'), addresses, full-sized frames and TCP both ways crossing it; a node's bridge
   * and tunnel go with its last container on the fabric, and the other nodes stop sending to it.
   */
  @Test
  void anAccountsContainersOnTwoNodes_reachEachOtherOnItsFabric() throws Exception {
    d1.ok("run", "-d", "--name", "fab1", image, "sleep", "600");
    d2.ok("run", "-d", "--name", "fab2", "-e", "affinity:container!=fab1", image, "sleep", "600");
    String ip1 = d1.ok("inspect", "-f", "{{.NetworkSettings.IPAddress}}", "fab1").trim();
    String ip2 = d2.ok("inspect", "-f", "{{.NetworkSettings.IPAddress}}", "fab2").trim();
    FleetProcesses.Member n1 = agentOf("fab1");
    FleetProcesses.Member n2 = agentOf("fab2");
    assertThat(n1).isNotSameAs(n2);
    assertThat(prefix22(ip1)).isEqualTo(prefix22(ip2)); // one subnet for the whole fleet
    assertThat(d1.ok("exec", "fab1", "busybox", "cat", "/sys/class/net/eth0/mtu").trim())
        .isEqualTo("1450"); // the underlay's 1500 less VXLAN's 50
    assertThat(pingsWithin("fab1", ip2, 10)).isTrue();
    assertThat(pingsWithin("fab2", ip1, 10)).isTrue();
    // a full-sized frame crosses whole: 1422 bytes of ICMP data and 28 of headers
    d1.ok("exec", "fab1", "busybox", "ping", "-c", "1", "-W", "2", "-s", "1422", ip2);
    assertThat(sendsOverTcp("fab1", "fab2", ip2, "from fab1"))
        .as(() -> fabricState(List.of(n1, n2), List.of("fab1", "fab2")))
        .isEqualTo("from fab1");
    assertThat(sendsOverTcp("fab2", "fab1", ip1, "from fab2"))
        .as(() -> fabricState(List.of(n1, n2), List.of("fab1", "fab2")))
        .isEqualTo("from fab2");

    assertThat(ipIn(n2, "-o", "link", "show", "type", "vxlan")).contains("sdcvx");
    d1.ok("rm", "-f", "fab2");
    assertThat(ipIn(n2, "-o", "link", "show", "type", "vxlan")).doesNotContain("sdcvx");
    assertThat(ipIn(n2, "-o", "addr", "show")).doesNotContain(prefix22(ip2));
    // fab1's node stops flooding to fab2's once its heartbeat says the fabric left it (what it
    // learnt of fab2's MAC ages out as the kernel's bridge does)
    String vx =
        ipIn(n1, "-o", "link", "show", "type", "vxlan").replaceAll("(?s).*(sdcvx\\d+).*", "$1");
    boolean dropped = false;
    for (int i = 0; i < 50 && !dropped; i++) {
      dropped =
          !inNode(n1, "bridge", "fdb", "show", "dev", vx)
              .contains("00:00:00:00:00:00 dst " + n2.address() + " ");
      Thread.sleep(100);
    }
    assertThat(dropped).isTrue();
  }

  /**
   * A published port stays on its container's node, and the API shows it on that node's address
   * (not 0.0.0.0, which would name the client's own host), where a client reaches it.
   */
  @Test
  void aPublishedPort_isShownAndReachedOnItsNodesAddress() throws Exception {
    d1.ok(
        "run",
        "-d",
        "--name",
        "web",
        "-p",
        "8080",
        image,
        "sh",
        "-c",
        "while true; do echo hello | busybox nc -l -p 8080; done");
    FleetProcesses.Member node = agentOf("web");
    String port = d2.ok("port", "web", "8080").trim();
    assertThat(port).startsWith(node.address() + ":");
    assertThat(d1.ok("ps", "--filter", "name=web", "--format", "{{.Ports}}"))
        .contains(node.address() + ":");
    String[] hp = port.split(":");
    String got = "";
    for (int i = 0; i < 20 && !got.equals("hello"); i++) { // until the listener listens
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(hp[0], Integer.parseInt(hp[1])), 2000);
        s.setSoTimeout(2000);
        got = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      } catch (IOException notYet) {
        Thread.sleep(200);
      }
    }
    assertThat(got).isEqualTo("hello");
  }

  /**
   * An internal network spans the nodes as any other, and reaches nothing outside itself: not its
   * containers' nodes, not another node, not the front ends' host.
   */
  @Test
  void anInternalNetwork_reachesNothingOutsideItself() throws Exception {
    d1.ok("network", "create", "--internal", "inside");
    try {
      d1.ok("run", "-d", "--name", "in1", "--network", "inside", image, "sleep", "600");
      d2.ok(
          "run",
          "-d",
          "--name",
          "in2",
          "--network",
          "inside",
          "-e",
          "affinity:container!=in1",
          image,
          "sleep",
          "600");
      assertThat(agentOf("in1")).isNotSameAs(agentOf("in2"));
      String ip2 = d1.ok("inspect", "-f", "{{.NetworkSettings.Networks.inside.IPAddress}}", "in2");
      assertThat(pingsWithin("in1", ip2.trim(), 10)).isTrue(); // within itself, across nodes
      assertThat(pingsWithin("in1", "in2", 5)).isTrue(); // by name too
      List<String> outside = new ArrayList<>(List.of(FleetProcesses.HOST_ADDRESS));
      for (FleetProcesses.Member a : List.of(a1, a2, a3)) {
        outside.add(a.address());
      }
      for (String ip : outside) {
        assertThat(d1.run("exec", "in1", "busybox", "ping", "-c", "1", "-W", "1", ip).exitCode())
            .as("in1 reached %s", ip)
            .isNotZero();
      }
    } finally {
      d1.run("rm", "-f", "in1", "in2");
      d1.run("network", "rm", "inside");
    }
  }

  /**
   * A user-defined network made through one front end spans the fleet: its containers on different
   * nodes reach each other by address, name, alias and short id and exchange data both ways; an
   * address asked for with --ip is the container's wherever it runs; a container of the account's
   * default network reaches none of them; a node's bridge and tunnel of the network go with its
   * last container there; the network cannot be removed while a container on it runs. A legacy link
   * reaches its target on another node.
   */
  @Test
  void aUserDefinedNetwork_spansTheNodes_withItsNamesAndAddresses() throws Exception {
    // the addresses given out come from the lower half: the one asked for with --ip is outside
    // them, as Docker's users keep theirs (given out from a random start, one could be .177)
    d1.ok("network", "create", "--subnet", "172.30.8.0/24", "--ip-range", "172.30.8.0/25", "app");
    try {
      // made through fe1, known to fe2 as soon as fe1 answered; its name taken there too
      assertThat(d2.ok("network", "ls", "--format", "{{.Name}}").lines()).contains("app");
      assertThat(d2.run("network", "create", "app").err())
          .contains("network with name app already exists");
      sleeper(d1, "u1", "--network", "app", "--network-alias", "db");
      sleeper(d2, "u2", "--network", "app", "-e", "affinity:container!=u1");
      sleeper(
          d2,
          "u3",
          "--network",
          "app",
          "--ip",
          "172.30.8.177",
          "-e",
          "affinity:container!=u1",
          "-e",
          "affinity:container!=u2");
      FleetProcesses.Member n1 = agentOf("u1");
      FleetProcesses.Member n2 = agentOf("u2");
      assertThat(n1).isNotSameAs(n2);
      assertThat(agentOf("u3")).isNotSameAs(n1).isNotSameAs(n2);
      String ip1 = d2.ok("inspect", "-f", "{{.NetworkSettings.Networks.app.IPAddress}}", "u1");
      String ip2 = d1.ok("inspect", "-f", "{{.NetworkSettings.Networks.app.IPAddress}}", "u2");
      assertThat(ip1.trim()).startsWith("172.30.8.");
      assertThat(ip2.trim()).startsWith("172.30.8.").isNotEqualTo(ip1.trim());
      assertThat(d1.ok("inspect", "-f", "{{.NetworkSettings.Networks.app.IPAddress}}", "u3").trim())
          .isEqualTo("172.30.8.177");
      assertThat(d2.run("run", "--rm", "--network", "app", "--ip", "172.30.8.177", image, "true"))
          .satisfies(r -> assertThat(r.exitCode()).isNotZero())
          .satisfies(r -> assertThat(r.err()).contains("Address already in use"));

      assertThat(pingsWithin("u1", ip2.trim(), 10)).isTrue();
      // a full-sized frame crosses whole (the tunnel's MTU is the containers')
      d1.ok("exec", "u1", "busybox", "ping", "-c", "1", "-W", "2", "-s", "1422", ip2.trim());
      assertThat(pingsWithin("u2", "u1", 5)).isTrue(); // names across nodes
      assertThat(pingsWithin("u2", "db", 5)).isTrue(); // an alias
      assertThat(pingsWithin("u1", "u3", 5)).isTrue();
      String shortId = d1.ok("inspect", "-f", "{{.Id}}", "u2").trim().substring(0, 12);
      assertThat(pingsWithin("u1", shortId, 5)).isTrue();
      assertThat(sendsOverTcp("u1", "u2", "u2", "from u1")).isEqualTo("from u1");
      assertThat(sendsOverTcp("u2", "u1", "db", "from u2")).isEqualTo("from u2");
      assertThat(d1.ok("network", "inspect", "-f", "{{len .Containers}}", "app").trim())
          .isEqualTo("3");

      // the account's default network is another network: it reaches none of them
      sleeper(d1, "plain", "-e", "affinity:container==u1");
      assertThat(pingsWithin("plain", ip1.trim(), 2)).isFalse();
      assertThat(pingsWithin("plain", ip2.trim(), 2)).isFalse();

      // a legacy link to a container on another node
      sleeper(d2, "linked", "--link", "plain:peer", "-e", "affinity:container!=plain");
      assertThat(agentOf("linked")).isNotSameAs(agentOf("plain"));
      assertThat(pingsWithin("linked", "peer", 10)).isTrue();

      // connected to the network, a container reaches its members on other nodes; disconnected,
      // none any more
      d2.ok("network", "connect", "--alias", "late", "app", "plain");
      assertThat(pingsWithin("plain", "u2", 10)).isTrue();
      assertThat(pingsWithin("u2", "late", 5)).isTrue();
      d1.ok("network", "disconnect", "app", "plain");
      assertThat(d2.run("network", "disconnect", "app", "plain").err())
          .contains("is not connected to network app");
      assertThat(pingsWithin("plain", ip2.trim(), 2)).isFalse();

      assertThat(d1.run("network", "rm", "app").err()).contains("has active endpoints");
      assertThat(ipIn(n2, "-o", "addr", "show")).contains("172.30.8.");
      long tunnels = ipIn(n2, "-o", "link", "show", "type", "vxlan").lines().count();
      d1.ok("rm", "-f", "u2");
      assertThat(ipIn(n2, "-o", "addr", "show")).doesNotContain("172.30.8.");
      assertThat(ipIn(n2, "-o", "link", "show", "type", "vxlan").lines().count())
          .isEqualTo(tunnels - 1); // the network's tunnel went with its bridge
      d1.ok("rm", "-f", "u1", "u3");
      d2.ok("network", "rm", "app");
      // removed through fe2, gone through fe1 as soon as fe2 answered
      assertThat(d1.ok("network", "ls", "--format", "{{.Name}}").lines()).doesNotContain("app");
      assertThat(d1.run("network", "inspect", "app").err()).contains("network app not found");
      assertThat(ipIn(n1, "-o", "addr", "show")).doesNotContain("172.30.8.");
    } finally {
      d1.run("rm", "-f", "u1", "u2", "u3", "plain", "linked");
      d1.run("network", "rm", "app");
    }
  }

  /** Runs {@code sleep 600} in a new container {@code name} with the options given. */
  private void sleeper(DockerCli d, String name, String... options) throws Exception {
    List<String> args = new ArrayList<>(List.of("run", "-d", "--name", name));
    args.addAll(List.of(options));
    args.addAll(List.of(image, "sleep", "600"));
    d.ok(args.toArray(String[]::new));
  }

  private FleetProcesses.Member agentOf(String name) throws Exception {
    var w = Json.MAPPER.readTree(fleet.admin(fe1, "container", "where", name, "--json").out());
    String node = w.path("Node").asText();
    for (FleetProcesses.Member a : List.of(a1, a2, a3)) {
      if (Files.readString(a.dataRoot().resolve("cn-uuid")).trim().equals(node)) {
        return a;
      }
    }
    throw new AssertionError("no agent of node " + node);
  }

  private static String prefix22(String ip) {
    String[] o = ip.split("\\.");
    return o[0] + "." + o[1] + "." + (Integer.parseInt(o[2]) & ~3) + ".";
  }

  /**
   * Whether {@code from} gets an echo from {@code ip} within {@code seconds} (one try a second).
   */
  private boolean pingsWithin(String from, String ip, int seconds) throws Exception {
    for (int i = 0; i < seconds; i++) {
      if (d1.run("exec", from, "busybox", "ping", "-c", "1", "-W", "1", ip).exitCode() == 0) {
        return true;
      }
    }
    return false;
  }

  /**
   * What {@code to} received over TCP from {@code from} (busybox nc both ends): sent once the
   * listener listens, tried again while refused, read until it arrives (each step 10 s at most, as
   * a loaded machine may be slow to start an exec).
   */
  private String sendsOverTcp(String from, String to, String toIp, String text) throws Exception {
    // busybox's nc leaves as soon as its stdin ends, even with a connection whose data has not yet
    // come: a stdin that stays open keeps it until the sender closes
    d1.ok("exec", "-d", to, "sh", "-c", "sleep 60 | busybox nc -l -p 5000 > /tmp/got");
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < until
        && !d1.run("exec", to, "busybox", "netstat", "-ltn").out().contains(":5000 ")) {
      Thread.sleep(100);
    }
    until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < until
        && d1.run("exec", from, "sh", "-c", "echo " + text + " | busybox nc " + toIp + " 5000")
                .exitCode()
            != 0) {
      Thread.sleep(200);
    }
    String got = "";
    until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < until && got.isEmpty()) {
      got = d1.run("exec", to, "busybox", "cat", "/tmp/got").out().trim();
      Thread.sleep(100);
    }
    return got;
  }

  /** What the nodes' tunnels, bridges and rules and the containers' neighbours say: a failure's. */
  private String fabricState(List<FleetProcesses.Member> nodes, List<String> containers) {
    StringBuilder b = new StringBuilder();
    try {
      for (FleetProcesses.Member n : nodes) {
        b.append("\n== node ").append(n.address()).append('\n');
        b.append(ipIn(n, "-d", "link", "show", "type", "vxlan"));
        b.append(inNode(n, "bridge", "fdb", "show"));
        b.append(ipIn(n, "neigh"));
        b.append(ipIn(n, "-o", "addr"));
        b.append(inNode(n, "iptables-save", "-c"));
        b.append(inNode(n, "sh", "-c", "head -100 /proc/net/nf_conntrack 2>&1"));
      }
      for (String c : containers) {
        b.append("\n== ").append(c).append('\n');
        b.append(d1.run("exec", c, "busybox", "ip", "neigh").all());
        b.append(d1.run("exec", c, "busybox", "netstat", "-tan").all());
        b.append(d1.run("exec", c, "busybox", "ip", "addr").all());
      }
    } catch (Exception e) {
      b.append(e);
    }
    return b.toString();
  }

  private static String ipIn(FleetProcesses.Member node, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("ip"));
    cmd.addAll(List.of(args));
    return inNode(node, cmd.toArray(String[]::new));
  }

  private static String inNode(FleetProcesses.Member node, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", node.netns()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
    return out;
  }

  /** One request, by its id, in the front end's log and in the log of the agent it reached. */
  @Test
  void oneRequest_isFollowedByItsIdFromTheFrontEndToTheAgentsLog() throws Exception {
    String rid = "fleet-trace-" + Long.toHexString(System.nanoTime());
    Process curl =
        new ProcessBuilder(
                "curl",
                "-sS",
                "-o",
                "/dev/null",
                "-w",
                "%{http_code}",
                "-X",
                "POST",
                "-H",
                "Content-Type: application/json",
                "-H",
                "X-Request-Id: " + rid,
                "-d",
                "{\"Image\":\"" + image + "\",\"Cmd\":[\"true\"]}",
                "http://127.0.0.1:" + api2 + "/containers/create")
            .start();
    assertThat(curl.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(new String(curl.getInputStream().readAllBytes())).isEqualTo("201");
    // the front end's line is written once the answer has gone: wait for it (5 s at most)
    String feLine = "";
    for (int i = 0; i < 50 && feLine.isEmpty(); i++) {
      Thread.sleep(i == 0 ? 0 : 100);
      feLine =
          Files.readAllLines(fe2.log()).stream()
              .filter(l -> l.contains("\"request\":\"" + rid + "\""))
              .findFirst()
              .orElse("");
    }
    assertThat(Json.MAPPER.readTree(feLine).path("component").asText()).isEqualTo("frontend");
    List<String> agentLines = new ArrayList<>();
    for (FleetProcesses.Member a : List.of(a1, a2, a3)) {
      Files.readAllLines(a.log()).stream()
          .filter(l -> l.contains("\"request\":\"" + rid + "\""))
          .forEach(agentLines::add);
    }
    assertThat(agentLines).isNotEmpty();
    for (String l : agentLines) {
      var j = Json.MAPPER.readTree(l);
      assertThat(j.path("component").asText()).isEqualTo("agent");
      assertThat(j.path("node").asText()).isNotEmpty();
    }
  }

  @Test
  void aReservedNode_getsNoNewContainers_untilUnreserved() throws Exception {
    String a3Uuid = Files.readString(a3.dataRoot().resolve("cn-uuid")).trim();
    assertThat(fleet.admin(fe1, "node", "reserve", a3Uuid).out())
        .contains("reserved compute node " + a3Uuid);
    assertThat(fleet.admin(fe2, "node", "get", a3Uuid).out())
        .containsPattern("UUID +" + a3Uuid)
        .containsPattern("RESERVED +true")
        .containsPattern("MEMORY BYTES +[0-9]+ MiB");
    assertThat(fleet.admin(fe2, "node", "get", "no-such-node").err())
        .contains("no such compute node: no-such-node");
    assertThat(fleet.admin(fe2, "node", "ls", "--json").out())
        .contains("\"UUID\":\"" + a3Uuid + "\",\"Hostname\"")
        .containsPattern("\"" + a3Uuid + "\"[^}]*\"Reserved\":true");
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      ids.add((i % 2 == 0 ? d1 : d2).ok("create", image, "true").trim());
    }
    assertThat(zonesOn(a3)).doesNotContainAnyElementsOf(ids);
    String[] others = {
      Files.readString(a1.dataRoot().resolve("cn-uuid")).trim(),
      Files.readString(a2.dataRoot().resolve("cn-uuid")).trim()
    };
    for (String uuid : others) {
      fleet.admin(fe2, "node", "reserve", uuid);
    }
    assertThat(d1.run("create", image, "true").err())
        .contains("no compute node takes new containers: every live node is reserved");
    for (String uuid : others) {
      fleet.admin(fe1, "node", "unreserve", uuid);
    }
    assertThat(fleet.admin(fe2, "node", "unreserve", a3Uuid).exitCode()).isZero();
    String next = d2.ok("create", image, "true").trim(); // the emptiest node again
    ids.add(next);
    assertThat(zonesOn(a3)).contains(next);
    List<String> rm = new ArrayList<>(List.of("rm", "-f"));
    rm.addAll(ids);
    d1.ok(rm.toArray(String[]::new));
  }

  /**
   * Accounts are the fleet's: a change through one front end's admin socket is every front end's,
   * and a removal stays a removal for a front end that was down when it happened.
   */
  @Test
  void accountsChangedThroughOneFrontEnd_areEveryFrontEnds() throws Exception {
    var status = Json.MAPPER.readTree(fleet.admin(fe1, "status", "--json").out());
    // the members as each says it is: this front end first, the other, the three agents
    var members = status.path("ClusterMembers");
    assertThat(members.size()).isGreaterThanOrEqualTo(5);
    assertThat(members.get(0).path("This").asBoolean()).isTrue();
    assertThat(members.get(0).path("Role").asText()).isEqualTo("frontend");
    assertThat(members.get(0).path("Address").asText())
        .isEqualTo(fe1.address + ":" + fe1.clusterPort);
    String a1Uuid = Files.readString(a1.dataRoot().resolve("cn-uuid")).trim();
    assertThat(members.toString())
        .contains(
            "\"Role\":\"agent\",\"Address\":\""
                + a1.address
                + ":"
                + a1.clusterPort
                + "\",\"Node\":\""
                + a1Uuid
                + "\"");
    assertThat(status.path("ClusterCertificate").path("DaysLeft").asLong()).isPositive();
    assertThat(fleet.admin(fe1, "status").out())
        .containsPattern("CLUSTER MEMBERS +[0-9]+")
        .contains(a1Uuid, "(this front end)")
        .containsPattern("CLUSTER CERTIFICATE +.*days left");
    assertThat(status.path("ComputeNodes").asInt()).isEqualTo(3);
    // each change is the other front end's once the operator is answered: no waiting
    assertThat(fleet.admin(fe1, "account", "add", "zoe").exitCode()).isZero();
    assertThat(accountNow(fe2, "zoe")).contains("\"approved\":false");
    assertThat(fleet.admin(fe2, "account", "approve", "zoe").exitCode()).isZero();
    assertThat(accountNow(fe1, "zoe")).contains("\"approved\":true");
    assertThat(fleet.admin(fe1, "account", "add", "yan").exitCode()).isZero();
    assertThat(accountNow(fe2, "yan")).contains("\"login\":\"yan\"");
    assertThat(fleet.admin(fe2, "account", "disable", "yan").exitCode()).isZero();
    assertThat(accountNow(fe1, "yan")).contains("\"disabled\":true");
    // the same without a command's start between the steps: each request right after the last
    Path s1 = fleet.adminSocket(fe1);
    Path s2 = fleet.adminSocket(fe2);
    for (int i = 0; i < 10; i++) {
      String login = "quick" + i;
      assertThat(Admin.call(s1, "POST", "/accounts", "{\"Login\":\"" + login + "\"}").status())
          .isEqualTo(201);
      assertThat(Admin.call(s2, "GET", "/accounts/" + login, "").status()).isEqualTo(200);
      assertThat(Admin.call(s2, "POST", "/accounts/" + login + "/approve", "").status())
          .isEqualTo(200);
      assertThat(Admin.call(s1, "GET", "/accounts/" + login, "").body())
          .contains("\"approved\":true");
      assertThat(Admin.call(s1, "DELETE", "/accounts/" + login, "").status()).isEqualTo(200);
      assertThat(Admin.call(s2, "GET", "/accounts/" + login, "").status()).isEqualTo(404);
    }

    fe2.kill();
    assertThat(fleet.admin(fe1, "account", "rm", "yan").exitCode()).isZero();
    fe2.start();
    FleetProcesses.awaitApi(fe2, api2);
    assertThat(awaitAccount(fe2, "zoe", "\"approved\":true")).isTrue();
    for (FleetProcesses.Member fe : List.of(fe1, fe2)) {
      assertThat(fleet.admin(fe, "account", "get", "yan").err())
          .contains("no such account: yan"); // fe2 kept it on its disk: it did not come back
    }
    assertThat(fleet.admin(fe2, "account", "rm", "zoe").exitCode()).isZero();
  }

  /**
   * Two front ends over TLS given the fleet's CA for the API (its key too): an account made through
   * one, a certificate it issues, and the docker CLI with that certificate gets the same answers
   * from the other; streams (exec -i, logs) over TLS reach a container on any node.
   */
  @Test
  void frontEndsOverTlsWithTheFleetsCa_areInterchangeableForATenant() throws Exception {
    Path ca = dir.resolve("api-ca.pem");
    Path caKey = dir.resolve("api-ca-key.pem");
    KeyPair kp = Certificates.newKey();
    Files.writeString(ca, Certificates.pem(Certificates.ca(kp, "fleet API", Duration.ofDays(9))));
    Files.writeString(caKey, Certificates.pem(kp.getPrivate()));
    List<String> tls =
        List.of("--tlsverify", "--tlscacert", ca.toString(), "--tlscakey", caKey.toString());
    int api3 = LocalRegistry.freePort();
    int api4 = LocalRegistry.freePort();
    FleetProcesses.Member fe3 = fleet.frontend(api3, tls);
    FleetProcesses.Member fe4 = fleet.frontend(api4, tls);
    fe3.start();
    fe4.start();
    DockerCli t3 = null;
    try {
      FleetProcesses.awaitTlsApi(fe3, api3);
      FleetProcesses.awaitTlsApi(fe4, api4);
      // an operator's steps through one front end and another, and the tenant's first request
      // through the first, each right after the one before
      assertThat(fleet.admin(fe3, "account", "add", "tess", "--approve").exitCode()).isZero();
      Path certs = dir.resolve("tess");
      var issued =
          fleet.admin(
              fe4, "cert", "issue", "tess", "--out", certs.toString(), "--host", "tcp://x:1");
      assertThat(issued.exitCode()).as(issued.all()).isZero();
      assertThat(Files.readString(certs.resolve("ca.pem"))).isEqualTo(Files.readString(ca));
      t3 = new DockerCli("tcp://127.0.0.1:" + api3, certs);
      DockerCli t4 = new DockerCli("tcp://127.0.0.1:" + api4, certs);
      assertThat(t3.ok("ps", "-aq")).isEmpty(); // its key, added through fe4, known to fe3
      t4.ok("pull", image);
      String id = t4.ok("run", "-d", image, "sh", "-c", "echo up; exec sleep 600").trim();
      assertThat(t3.ok("ps", "-q", "--no-trunc")).isEqualTo(id);
      assertThat(d1.ok("ps", "-aq")).doesNotContain(id.substring(0, 12)); // not the local account's
      assertThat(t3.ok("logs", id)).isEqualTo("up");
      Result echoed = t3.runWithInput(60, "over tls\n", "exec", "-i", id, "cat");
      assertThat(echoed.out().strip()).as(echoed.all()).isEqualTo("over tls");
      // accounts' networks are apart: tess's containers (on its default network and on its own
      // network "mine") reach none of the local account's (on the default network and on the
      // local account's "mine", six of them spread over the three nodes), nor they tess's
      d1.ok("network", "create", "mine");
      t4.ok("network", "create", "mine"); // the same name in another account
      String tessMine = t4.ok("run", "-d", "--network", "mine", image, "sleep", "600").trim();
      List<String> locals = new ArrayList<>();
      List<String> localIps = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        boolean mine = i % 2 == 1;
        String l =
            d1.ok("run", "-d", "--network", mine ? "mine" : "bridge", image, "sleep", "600").trim();
        locals.add(l);
        localIps.add(
            d1.ok(
                    "inspect",
                    "-f",
                    mine
                        ? "{{.NetworkSettings.Networks.mine.IPAddress}}"
                        : "{{.NetworkSettings.IPAddress}}",
                    l)
                .trim());
      }
      List<String> tessIps =
          List.of(
              t3.ok("inspect", "-f", "{{.NetworkSettings.IPAddress}}", id).trim(),
              t3.ok("inspect", "-f", "{{.NetworkSettings.Networks.mine.IPAddress}}", tessMine)
                  .trim());
      for (int i = 0; i < locals.size(); i++) {
        for (String tc : List.of(id, tessMine)) {
          assertThat(
                  t3.run("exec", tc, "busybox", "ping", "-c", "1", "-W", "1", localIps.get(i))
                      .exitCode())
              .isNotZero();
        }
        for (String tessIp : tessIps) {
          assertThat(
                  d1.run("exec", locals.get(i), "busybox", "ping", "-c", "1", "-W", "1", tessIp)
                      .exitCode())
              .isNotZero();
        }
      }
      // theirs are whole
      assertThat(pingsWithin(locals.get(4), localIps.get(0), 10)).isTrue();
      assertThat(pingsWithin(locals.get(5), localIps.get(1), 10)).isTrue();
    } finally {
      if (t3 != null) {
        List<String> rm = new ArrayList<>(List.of("rm", "-f"));
        rm.addAll(List.of(t3.run("ps", "-aq").out().trim().split("\\s+")));
        t3.run(rm.toArray(String[]::new));
        t3.run("network", "rm", "mine");
      }
      removeContainers();
      d1.run("network", "rm", "mine");
      // both at once: the cluster's maps keep two backups, so the others lose nothing
      fe3.kill();
      fe4.kill();
    }
    // the nodes' handlers are still found: a create right after goes through
    for (DockerCli d : List.of(d1, d2)) {
      d.ok("rm", d.ok("create", image, "true"));
    }
  }

  @Test
  void aFrontEndJustStarted_listsEveryContainer_andAtOnceWhatAnotherMadeOrRemoved()
      throws Exception {
    List<String> before = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      before.add(d1.ok("run", "-d", image, "sleep", "600").trim());
    }
    int api5 = LocalRegistry.freePort();
    FleetProcesses.Member fe5 = fleet.frontend(api5);
    fe5.start();
    try {
      FleetProcesses.awaitApi(fe5, api5);
      HttpClient http = HttpClient.newHttpClient();
      // its first answer has every node's containers
      assertThat(send(http, api5, "GET", "/containers/json?all=1")).contains(before);
      // a container made and started through fe1 is running in fe5's list as soon as fe1
      // answered, and gone from it as soon as fe1 answered its removal: the test's own requests,
      // with no CLI's start-up between them
      for (int i = 0; i < 10; i++) {
        String id =
            post(
                    http,
                    api1,
                    "/containers/create",
                    "{\"Image\":\"" + image + "\",\"Cmd\":[\"sleep\",\"600\"]}")
                .replaceAll("(?s).*\"Id\":\"([0-9a-f]+)\".*", "$1");
        assertThat(id).hasSize(64);
        assertThat(send(http, api5, "GET", "/containers/json?all=1")).contains(id);
        assertThat(post(http, api1, "/containers/" + id + "/start", "")).isEmpty();
        assertThat(send(http, api5, "GET", "/containers/json")).contains(id);
        assertThat(send(http, api1, "DELETE", "/containers/" + id + "?force=1")).isEmpty();
        assertThat(send(http, api5, "GET", "/containers/json?all=1")).doesNotContain(id);
      }
    } finally {
      fe5.kill();
    }
  }

  private static String send(HttpClient http, int port, String method, String path)
      throws Exception {
    return http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .method(method, HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  /** The account as the front end shows it now (JSON), or its error. */
  private String accountNow(FleetProcesses.Member fe, String login) throws Exception {
    return fleet.admin(fe, "account", "get", login, "--json").all();
  }

  /** Whether the front end shows the account with that text within 10 s. */
  private boolean awaitAccount(FleetProcesses.Member fe, String login, String text)
      throws Exception {
    for (int i = 0; i < 100; i++) {
      var a = fleet.admin(fe, "account", "get", login, "--json");
      if (a.exitCode() == 0 && a.out().contains(text)) {
        return true;
      }
      Thread.sleep(100);
    }
    return false;
  }

  @Test
  void anOperatorForgetsANodeThatWillNotReturn_itsContainersAreReportedGone() throws Exception {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      ids.add(d1.ok("run", "-d", image, "sleep", "600").trim());
    }
    String onA3 = ids.stream().filter(id -> zonesOn(a3).contains(id)).findFirst().orElseThrow();
    String a3Uuid = Files.readString(a3.dataRoot().resolve("cn-uuid")).trim();
    var ls = fleet.admin(fe2, "node", "ls");
    assertThat(ls.out()).contains("UUID", "STATE", a3Uuid, "running");
    // a live node is not forgotten
    var live = fleet.admin(fe1, "node", "forget", a3Uuid);
    assertThat(live.exitCode()).isEqualTo(1);
    assertThat(live.err()).contains("compute node " + a3Uuid + " is live");
    assertThat(fleet.admin(fe1, "node", "forget", "no-such-node").err())
        .contains("no such compute node: no-such-node");
    d1.ok("rename", onA3, "on-a3");
    long since = System.currentTimeMillis() / 1000 - 1;
    a3.kill();
    awaitNodes(d1, 2);
    var forgot = fleet.admin(fe1, "node", "forget", a3Uuid);
    assertThat(forgot.out()).as(forgot.err()).contains("forgot compute node " + a3Uuid);
    for (DockerCli d : List.of(d1, d2)) {
      assertThat(awaitPsAll(d, 2)).doesNotContain(onA3.substring(0, 12));
      assertThat(d.ok("info")).contains("Compute nodes: 2").doesNotContain(a3Uuid);
    }
    assertThat(fleet.admin(fe2, "node", "ls", "--json").out()).doesNotContain(a3Uuid);
    String until = Long.toString(System.currentTimeMillis() / 1000 + 1);
    assertThat(d2.ok("events", "--since", Long.toString(since), "--until", until))
        .contains("container destroy " + onA3);
    String reused = d2.ok("create", "--name", "on-a3", image, "true").trim(); // its name is free
    d2.ok("rm", reused);
    // the node came back after all: it and its containers are listed again
    a3.start();
    a3.awaitLog("sdc-docker: agent of the fleet", 90);
    awaitNodes(d1, 3);
    awaitNodes(d2, 3);
    assertThat(awaitPs(d2, 3)).contains(onA3.substring(0, 12));
  }

  @Test
  void aSecondAgentOnTheSameDataRoot_refusesToRun() throws Exception {
    FleetProcesses.Member twin = fleet.twin(a1);
    twin.start();
    assertThat(twin.waitFor(90)).isTrue();
    String log = Files.readString(twin.log());
    assertThat(twin.exitValue()).as(log).isEqualTo(1);
    assertThat(log).contains("another agent runs on the data root " + a1.dataRoot());
  }

  @Test
  void aNameAskedForThroughBothFrontEndsAtOnce_goesToOneContainer() throws Exception {
    for (int i = 0; i < 10; i++) {
      String name = "race-" + i;
      assertThat(oneOfTwoAtOnce("create", "--name", name, image, "true").err())
          .contains("Conflict. The container name \"/" + name + "\" is already in use");
    }
    assertThat(awaitPsAll(d1, 10)).hasSize(10);
    assertThat(awaitPsAll(d2, 10)).hasSize(10);
    // a removed container's name is free again through either front end once the rm answered;
    // a renamed one's old name too
    d1.ok("rm", "race-0");
    var again = d2.run("create", "--name", "race-0", image, "true");
    assertThat(again.exitCode()).as(again.all()).isZero();
    d1.ok("rename", "race-1", "race-1b");
    again = d2.run("create", "--name", "race-1", image, "true");
    assertThat(again.exitCode()).as(again.all()).isZero();
  }

  @Test
  void aNetworkNameAskedForThroughBothFrontEndsAtOnce_goesToOneNetwork() throws Exception {
    for (int i = 0; i < 5; i++) {
      String name = "net-race-" + i;
      try {
        Result lost = oneOfTwoAtOnce("network", "create", name);
        assertThat(lost.err()).contains("network with name " + name + " already exists");
        // one network of that name, the same through both front ends
        String id = lost.out().trim();
        for (DockerCli d : List.of(d1, d2)) {
          assertThat(d.ok("network", "ls", "-q", "--no-trunc", "--filter", "name=" + name).trim())
              .isEqualTo(id);
        }
      } finally {
        d2.run("network", "rm", name);
      }
      assertThat(d1.ok("network", "ls", "--format", "{{.Name}}").lines()).doesNotContain(name);
    }
  }

  @Test
  void aVolumeNameAskedForThroughBothFrontEndsAtOnce_isOneVolume() throws Exception {
    for (int i = 0; i < 4; i++) {
      // two creates of one new name at once: both answer, as Docker's, with one volume
      String made = "vol-race-" + i;
      for (Result r : bothAtOnce("volume", "create", made)) {
        assertThat(r.exitCode()).as(r.all()).isZero();
      }
      // two containers at once that make one new volume: one volume, on the node of both
      String used = "vol-run-race-" + i;
      for (Result r :
          bothAtOnce("run", "--rm", "-v", used + ":/d", image, "sh", "-c", "echo x >> /d/lines")) {
        assertThat(r.exitCode()).as(r.all()).isZero();
      }
      for (String name : List.of(made, used)) {
        for (DockerCli d : List.of(d1, d2)) {
          assertThat(d.ok("volume", "ls", "-q", "--filter", "name=" + name).lines().toList())
              .containsExactly(name);
        }
      }
      assertThat(d2.ok("run", "--rm", "-v", used + ":/d", image, "sh", "-c", "cat /d/lines"))
          .isEqualTo("x\nx");
      d1.ok("volume", "rm", made, used);
    }
  }

  /** The same command through both front ends at once: both results. */
  private List<Result> bothAtOnce(String... args) throws Exception {
    List<Process> ps = new ArrayList<>();
    for (String host : List.of(d1Host, d2Host)) {
      List<String> cmd = new ArrayList<>(List.of("docker", "-H", host));
      cmd.addAll(List.of(args));
      ps.add(new ProcessBuilder(cmd).start());
    }
    List<Result> out = new ArrayList<>();
    for (Process p : ps) {
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
      out.add(
          new Result(
              p.exitValue(),
              new String(p.getInputStream().readAllBytes()),
              new String(p.getErrorStream().readAllBytes())));
    }
    return out;
  }

  /**
   * The same command through both front ends at once, of which exactly one must succeed: the
   * other's result, with the winner's output as its {@code out}.
   */
  private Result oneOfTwoAtOnce(String... args) throws Exception {
    List<Process> ps = new ArrayList<>();
    for (String host : List.of(d1Host, d2Host)) {
      List<String> cmd = new ArrayList<>(List.of("docker", "-H", host));
      cmd.addAll(List.of(args));
      ps.add(new ProcessBuilder(cmd).redirectErrorStream(true).start());
    }
    List<String> outs = new ArrayList<>();
    for (Process p : ps) {
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
      outs.add(new String(p.getInputStream().readAllBytes()));
    }
    int won = ps.get(0).exitValue() == 0 ? 0 : 1;
    assertThat(List.of(ps.get(0).exitValue(), ps.get(1).exitValue()))
        .as(String.join("", outs))
        .containsExactlyInAnyOrder(0, 1);
    return new Result(1, outs.get(won), outs.get(1 - won));
  }

  @Test
  void eventsCausedThroughOneFrontEnd_areSeenThroughTheOther() throws Exception {
    long since = System.currentTimeMillis() / 1000 - 1;
    d1.ok("tag", image, "x/tagged-through-fe1:1");
    String id = d1.ok("run", "-d", image, "sleep", "600").trim();
    d1.ok("kill", id);
    String until = Long.toString(System.currentTimeMillis() / 1000 + 2);
    String seen = "";
    for (int i = 0; i < 25 && !(seen.contains(" tag ") && seen.contains(" kill ")); i++) {
      Thread.sleep(200);
      seen = d2.ok("events", "--since", Long.toString(since), "--until", until);
    }
    assertThat(seen).contains("image tag", "container kill " + id, "container die " + id);
    // the image event is not twice (each front end applies it once)
    assertThat(seen.lines().filter(l -> l.contains("image tag")).count()).isEqualTo(1);
  }

  @Test
  void imagesMadeThroughOneFrontEnd_areServedByTheOther() throws Exception {
    // pulled through fe1 at the start: fe2 has it, and its agents fetch the layers from fe2
    assertThat(d2.run("image", "inspect", image).exitCode()).isZero();
    assertThat(d2.ok("run", "--rm", image, "echo", "ran through fe2")).isEqualTo("ran through fe2");
    // a tag through fe2 is fe1's too, and its removal through fe1 fe2's, as soon as each answered
    d2.ok("tag", image, "x/tagged-through-fe2:1");
    assertThat(d1.run("image", "inspect", "x/tagged-through-fe2:1").exitCode()).isZero();
    d1.ok("rmi", "x/tagged-through-fe2:1");
    assertThat(d2.run("image", "inspect", "x/tagged-through-fe2:1").exitCode()).isEqualTo(1);
    // tags through both front ends at once, each waiting for the other front end to make it while
    // that one makes its own: every one answered, and held by both
    List<Process> tagging = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      tagging.add(
          new ProcessBuilder(
                  "docker", "-H", i % 2 == 0 ? d1Host : d2Host, "tag", image, "x/at-once:" + i)
              .redirectErrorStream(true)
              .start());
    }
    for (Process p : tagging) {
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).as(new String(p.getInputStream().readAllBytes())).isZero();
    }
    for (int i = 0; i < 8; i++) {
      assertThat(d1.run("image", "inspect", "x/at-once:" + i).exitCode()).isZero();
      assertThat(d2.run("image", "inspect", "x/at-once:" + i).exitCode()).isZero();
    }
    // an image made through fe2 (commit) runs through fe1
    String c = d2.ok("run", "-d", image, "sh", "-c", "echo made > /made; sleep 600").trim();
    d2.ok("commit", c, "x/committed-through-fe2:1");
    // the commit answered once another front end held a copy: fe1 has it already
    assertThat(d1.run("image", "inspect", "x/committed-through-fe2:1").exitCode()).isZero();
    assertThat(d1.ok("run", "--rm", "x/committed-through-fe2:1", "cat", "/made")).isEqualTo("made");
    // an image built through fe2 (a COPY and a RUN: their files and logs cross the agents' data
    // plane over TLS) runs through fe1
    Path ctx = Files.createDirectories(dir.resolve("build-ctx"));
    Files.writeString(ctx.resolve("greeting"), "copied\n");
    Files.writeString(
        ctx.resolve("Dockerfile"),
        "FROM " + image + "\nCOPY greeting /greeting\nRUN echo ran >> /greeting\n");
    Result built = d2.run(120, "build", "-t", "x/built-through-fe2:1", ctx.toString());
    assertThat(built.exitCode()).as(built.all()).isZero();
    assertThat(d1.run("image", "inspect", "x/built-through-fe2:1").exitCode()).isZero();
    assertThat(d1.ok("run", "--rm", "x/built-through-fe2:1", "cat", "/greeting"))
        .isEqualTo("copied\nran");
  }

  @Test
  void anExecMadeThroughOneFrontEnd_startsThroughTheOther() throws Exception {
    String c = d1.ok("run", "-d", image, "sleep", "600").trim();
    HttpClient http = HttpClient.newHttpClient();
    String created =
        post(http, api1, "/containers/" + c + "/exec", "{\"Cmd\":[\"sh\",\"-c\",\"echo x > /f\"]}");
    String exec = created.replaceAll("(?s).*\"Id\":\"([0-9a-f]+)\".*", "$1");
    String started = "";
    for (int i = 0; i < 20; i++) { // fe2 hears of the exec on the bus: milliseconds
      started = post(http, api2, "/exec/" + exec + "/start", "{\"Detach\":true}");
      if (!started.contains("No such exec")) {
        break;
      }
      Thread.sleep(100);
    }
    assertThat(started).doesNotContain("message");
    assertThat(execEnded(http, api2, exec)).contains("\"Running\":false", "\"ExitCode\":0");
    assertThat(d1.ok("exec", c, "cat", "/f")).isEqualTo("x");
    // an exec made while fe2 was down: fe2, restarted, knows it (the fleet's map of execs)
    fe2.kill();
    String later =
        post(http, api1, "/containers/" + c + "/exec", "{\"Cmd\":[\"sh\",\"-c\",\"echo y > /g\"]}")
            .replaceAll("(?s).*\"Id\":\"([0-9a-f]+)\".*", "$1");
    fe2.start();
    FleetProcesses.awaitApi(fe2, api2);
    assertThat(post(http, api2, "/exec/" + later + "/start", "{\"Detach\":true}"))
        .doesNotContain("message");
    assertThat(execEnded(http, api2, later)).contains("\"Running\":false", "\"ExitCode\":0");
    assertThat(d2.ok("exec", c, "cat", "/g")).isEqualTo("y");
  }

  /** The exec's inspection through the front end at {@code port}, once it ended (5 s at most). */
  private static String execEnded(HttpClient http, int port, String exec) throws Exception {
    String inspect = "";
    for (int i = 0; i < 50 && !inspect.contains("\"Running\":false"); i++) {
      Thread.sleep(100);
      inspect =
          http.send(
                  HttpRequest.newBuilder(
                          URI.create("http://127.0.0.1:" + port + "/exec/" + exec + "/json"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
    }
    return inspect;
  }

  private static String post(HttpClient http, int port, String path, String body) throws Exception {
    return http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  /** Until the front end has the image (10 s at most). */
  /** Whether something listens on the loopback port now. */
  private static boolean answers(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static boolean awaitImage(DockerCli d, String ref) throws Exception {
    for (int i = 0; i < 100; i++) {
      if (d.run("image", "inspect", ref).exitCode() == 0) {
        return true;
      }
      Thread.sleep(100);
    }
    return false;
  }

  @Test
  void theBlobEndpoint_servesMembersOnly_overTls() throws Exception {
    String log = Files.readString(fe1.log());
    // its last start's (the log is appended to across starts)
    String endpoint = "";
    Matcher m = Pattern.compile("blob endpoint at (https://[0-9.:]+)").matcher(log);
    while (m.find()) {
      endpoint = m.group(1);
    }
    assertThat(endpoint).startsWith("https://" + FleetProcesses.HOST_ADDRESS + ":");
    String url = endpoint + "/blobs/sha256:" + "0".repeat(64);
    String ca = dir.resolve("pki/ca.pem").toString();
    // with the fleet's CA but no member certificate: the handshake is refused (no status)
    assertThat(curlStatus("--cacert", ca, url)).isEqualTo("000");
    // as a member: an answer (no such blob)
    String cert = dir.resolve("pki/member.pem").toString();
    String key = dir.resolve("pki/member-key.pem").toString();
    assertThat(curlStatus("--cacert", ca, "--cert", cert, "--key", key, url)).isEqualTo("404");
    // plain HTTP is not spoken there
    assertThat(curlStatus(url.replace("https://", "http://"))).isNotEqualTo("404");
  }

  /** The HTTP status curl got ("000" when it got none). */
  private static String curlStatus(String... args) throws Exception {
    List<String> cmd =
        new ArrayList<>(List.of("curl", "-s", "-o", "/dev/null", "-w", "%{http_code}"));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).start();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return new String(p.getInputStream().readAllBytes()).trim();
  }

  @Test
  void affinityRules_placeAsSwarmAndSdcDockerPlaced() throws Exception {
    d1.ok("run", "-d", "--name", "db0", "--label", "role=db", image, "sleep", "600");
    String db0 = node(d1, "db0");
    String near = d1.ok("run", "-d", "-e", "affinity:container==db0", image, "sleep", "600").trim();
    assertThat(node(d2, near)).isEqualTo(db0);
    String far = d1.ok("run", "-d", "-e", "affinity:container!=db0", image, "sleep", "600").trim();
    assertThat(node(d2, far)).isNotEqualTo(db0);
    String byLabel =
        d1.ok(
                "run",
                "-d",
                "--label",
                "com.docker.swarm.affinities=[\"role==db\"]",
                image,
                "sleep",
                "600")
            .trim();
    assertThat(node(d2, byLabel)).isEqualTo(db0);
    // the env entry is gone; the label carries it
    assertThat(d1.ok("inspect", "-f", "{{json .Config.Env}}", near)).doesNotContain("affinity");
    assertThat(
            d1.ok(
                "inspect", "-f", "{{index .Config.Labels \"com.docker.swarm.affinities\"}}", near))
        .isEqualTo("[\"container==db0\"]");
    // a hard rule that names nothing is an error; a soft one falls back
    var none = d1.run("run", "-d", "-e", "affinity:container==nosuch", image, "true");
    assertThat(none.exitCode()).isEqualTo(125);
    assertThat(none.err())
        .contains(
            "no active containers found matching \"nosuch\" for affinity \"container==nosuch\"");
    assertThat(d1.run("run", "-d", "-e", "affinity:container==~nosuch", image, "true").exitCode())
        .isZero();
    var bad = d1.run("create", "-e", "affinity:container=db0", image, "true");
    assertThat(bad.err()).contains("could not find operator in filter expression");
  }

  private static String node(DockerCli d, String container) throws Exception {
    return d.ok("inspect", "-f", "{{.Node.ID}}", container);
  }

  @Test
  void concurrentCreatesThroughBothFrontEnds_neverOverbookANode() throws Exception {
    long perNode = Long.parseLong(d1.ok("info", "--format", "{{.MemTotal}}")) / 3;
    long asked = perNode * 2 / 5; // two fit on a node, a third does not
    List<Process> creates = new ArrayList<>();
    for (int i = 0; i < 9; i++) {
      creates.add(
          new ProcessBuilder(
                  "docker",
                  "-H",
                  i % 2 == 0 ? d1Host : d2Host,
                  "create",
                  "-m",
                  Long.toString(asked),
                  image,
                  "true")
              .redirectErrorStream(true)
              .start());
    }
    int made = 0;
    StringBuilder refusals = new StringBuilder();
    for (Process p : creates) {
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
      String out = new String(p.getInputStream().readAllBytes());
      if (p.exitValue() == 0) {
        made++;
      } else {
        refusals.append(out);
      }
    }
    assertThat(made).as(refusals.toString()).isEqualTo(6);
    assertThat(refusals.toString()).contains("no compute node has capacity for this container");
  }

  @Test
  void anAgentWithoutACertificateOfTheFleetsCa_getsNoWork() throws Exception {
    FleetProcesses.Member stranger = fleet.untrustedAgent();
    stranger.start();
    try {
      stranger.awaitLog("sdc-docker: agent of the fleet", 90); // Hazelcast let it in
      for (int i = 0; i < 5; i++) { // its heartbeats (every 2 s) never arrive
        Thread.sleep(1000);
        assertThat(d1.ok("info")).contains("Compute nodes: 3");
      }
      String id = d1.ok("run", "-d", image, "sleep", "600").trim();
      assertThat(zonesOn(stranger)).doesNotContain(id);
    } finally {
      stranger.kill();
    }
  }

  private static List<String> shortIds(List<String> ids) {
    return ids.stream().map(id -> id.substring(0, 12)).toList();
  }

  /** The ids of the running containers, once there are {@code n} (30 s at most). */
  private static List<String> awaitPs(DockerCli d, int n) throws Exception {
    return awaitIds(d, n, "ps", "-q");
  }

  /** The ids of all containers, once there are {@code n} (30 s at most). */
  private static List<String> awaitPsAll(DockerCli d, int n) throws Exception {
    return awaitIds(d, n, "ps", "-aq");
  }

  private static List<String> awaitIds(DockerCli d, int n, String... ps) throws Exception {
    List<String> ids = List.of();
    for (int i = 0; i < 150; i++) {
      String out = d.run(ps).out().trim();
      ids = out.isEmpty() ? List.of() : List.of(out.split("\\s+"));
      if (ids.size() == n) {
        return ids;
      }
      Thread.sleep(200);
    }
    return ids;
  }

  /** Until docker info counts {@code n} compute nodes (60 s at most). */
  /** The states of the nodes the dashboard shows ("running", "unknown"). */
  private static List<String> nodeStates(Browser b) {
    String all =
        (String)
            ((JavascriptExecutor) b.driver)
                .executeScript(
                    "return Array.from(document.querySelectorAll('.node .state'))"
                        + ".map(e => e.textContent).join(' ');");
    return all.isEmpty() ? List.of() : List.of(all.split(" "));
  }

  private static void awaitNodes(DockerCli d, int n) throws Exception {
    String info = "";
    for (int i = 0; i < 300; i++) {
      info = d.run("info").out();
      if (info.contains("Compute nodes: " + n)) {
        return;
      }
      Thread.sleep(200);
    }
    throw new AssertionError("the fleet has not " + n + " compute nodes:\n" + info);
  }

  private static List<String> zonesOn(FleetProcesses.Member agent) {
    Path zones = agent.dataRoot().resolve("zones");
    if (!Files.isDirectory(zones)) {
      return List.of();
    }
    try (var s = Files.list(zones)) {
      return s.map(p -> p.getFileName().toString()).toList();
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
