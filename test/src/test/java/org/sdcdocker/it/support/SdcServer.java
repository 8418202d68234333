package org.sdcdocker.it.support;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.sdcdocker.agent.net.ZoneNetwork;
import org.sdcdocker.agent.server.AgentConfig;
import org.sdcdocker.agent.server.AgentVerticle;
import org.sdcdocker.frontend.server.FrontendConfig;
import org.sdcdocker.frontend.server.FrontendVerticle;

/**
 * The embedded default, really started in this JVM (the same code as {@code bin/sdc-docker serve})
 * on a free loopback port with its own data root; real runc, conmon and dockerinit. Closing removes
 * every container it still has, then checks that nothing of them is left.
 */
public final class SdcServer implements AutoCloseable {
  private final Vertx vertx;
  private final Path dataRoot;
  private final int port;
  private final AgentConfig agentConfig;
  private final FrontendConfig frontendConfig;
  private String agentDeployment;
  private String frontendDeployment;

  private SdcServer(Vertx vertx, Path dataRoot, int port, AgentConfig agent, FrontendConfig front) {
    this.vertx = vertx;
    this.dataRoot = dataRoot;
    this.port = port;
    this.agentConfig = agent;
    this.frontendConfig = front;
  }

  /** The one loopback address the test servers fetch URL volumes from. */
  public static final String URL_VOLUME_HOST = "127.0.0.2";

  public static SdcServer start() throws Exception {
    return start(false);
  }

  /** The server, binding host paths into containers when {@code allowHostBinds}. */
  public static SdcServer start(boolean allowHostBinds) throws Exception {
    return start(allowHostBinds, Files.createTempDirectory("sdc-test"));
  }

  /** The server with its data under {@code root} (existing, empty), e.g. a small tmpfs. */
  public static SdcServer start(boolean allowHostBinds, Path root) throws Exception {
    Path repo = Path.of(System.getProperty("sdc.repo", "..")).toAbsolutePath().normalize();
    Path dockerinit = repo.resolve("dockerinit/target/dockerinit");
    if (!Files.isExecutable(dockerinit)) {
      throw new IllegalStateException("build dockerinit first: " + dockerinit);
    }
    int port = LocalRegistry.freePort();
    Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
    Path bootId = root.resolve("boot_id");
    Files.writeString(bootId, UUID.randomUUID() + "\n");
    // URL volumes may come from 127.0.0.2 (where tests serve them), never from the API's 127.0.0.1
    AgentConfig agent =
        new AgentConfig(
            root.resolve("agent"),
            "/usr/sbin/runc",
            "/usr/bin/conmon",
            dockerinit,
            "127.0.0.1",
            bootId,
            null,
            null,
            List.of(URL_VOLUME_HOST + "/32"));
    FrontendConfig front =
        new FrontendConfig(
            List.of("tcp://127.0.0.1:" + port),
            root.resolve("frontend"),
            "test-dc",
            "127.0.0.1",
            allowHostBinds,
            8,
            1,
            1,
            null,
            null,
            null,
            null);
    String agentDeployment = vertx.deployVerticle(new AgentVerticle(agent)).await();
    for (int attempt = 0; ; attempt++) {
      SdcServer s = new SdcServer(vertx, root, port, agent, front);
      s.agentDeployment = agentDeployment;
      try {
        s.frontendDeployment = vertx.deployVerticle(new FrontendVerticle(front)).await();
      } catch (Exception taken) { // the free port was taken meanwhile: another one
        if (attempt == 3) {
          throw taken;
        }
        port = LocalRegistry.freePort();
        front =
            new FrontendConfig(
                List.of("tcp://127.0.0.1:" + port),
                root.resolve("frontend"),
                "test-dc",
                "127.0.0.1",
                allowHostBinds,
                8,
                1,
                1,
                null,
                null,
                null,
                null);
        continue;
      }
      s.awaitAgent();
      return s;
    }
  }

  /** Stops the agent (its zones run on under conmon); {@link #startAgent} brings a new one up. */
  public void stopAgent() {
    vertx.undeploy(agentDeployment).await();
  }

  public void startAgent() throws Exception {
    agentDeployment = vertx.deployVerticle(new AgentVerticle(agentConfig)).await();
  }

  /**
   * What a reboot of the compute node does to it, then a new agent: the agent stops, every zone's
   * processes (conmon and the container's) die by SIGKILL, overlay mounts go, the boot id changes.
   */
  public void simulateReboot() throws Exception {
    stopAgent();
    Path runc = dataRoot.resolve("agent/runc");
    Process list = new ProcessBuilder("runc", "--root", runc.toString(), "list", "-q").start();
    List<String> ids =
        new String(list.getInputStream().readAllBytes()).lines().filter(l -> !l.isBlank()).toList();
    list.waitFor();
    Process conmons = new ProcessBuilder("pgrep", "-f", "conmon.*" + dataRoot).start();
    List<String> pids =
        new ArrayList<>(new String(conmons.getInputStream().readAllBytes()).lines().toList());
    conmons.waitFor();
    for (String id : ids) {
      Process state = new ProcessBuilder("runc", "--root", runc.toString(), "state", id).start();
      String json = new String(state.getInputStream().readAllBytes());
      state.waitFor();
      Matcher m = Pattern.compile("\"pid\":\\s*(\\d+)").matcher(json);
      if (m.find()) {
        pids.add(m.group(1));
      }
    }
    for (String pid : pids) {
      new ProcessBuilder("kill", "-9", pid).start().waitFor();
    }
    Thread.sleep(200);
    for (String line : Files.readAllLines(Path.of("/proc/mounts"))) {
      String target = line.split(" ")[1];
      if (target.startsWith(dataRoot.toString())) {
        new ProcessBuilder("umount", "-l", target).start().waitFor();
      }
    }
    Files.writeString(dataRoot.resolve("boot_id"), UUID.randomUUID() + "\n");
    startAgent();
  }

  /** Replaces the front end by a new one with an empty index, rebuilt from the agent. */
  public void restartFrontend() throws Exception {
    vertx.undeploy(frontendDeployment).await();
    frontendDeployment = vertx.deployVerticle(new FrontendVerticle(frontendConfig)).await();
    awaitAgent();
  }

  /** The front end lists containers only once the agent's first heartbeat came in. */
  private void awaitAgent() throws IOException, InterruptedException {
    HttpClient http = HttpClient.newHttpClient();
    for (int i = 0; i < 100; i++) {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create(url() + "/info")).build(),
              HttpResponse.BodyHandlers.ofString());
      if (r.body().contains("\"NCPU\":") && !r.body().contains("\"NCPU\":0")) {
        return;
      }
      Thread.sleep(50);
    }
    throw new IllegalStateException("the agent never reported to the front end");
  }

  public String host() {
    return "tcp://127.0.0.1:" + port;
  }

  public String url() {
    return "http://127.0.0.1:" + port;
  }

  public Path dataRoot() {
    return dataRoot;
  }

  /** What is left on the machine of this server's containers: mounts, conmons, runc state. */
  public List<String> leftovers() throws IOException, InterruptedException {
    return leftovers(dataRoot);
  }

  /** What is left on the machine of the containers of the server whose data root this is. */
  public static List<String> leftovers(Path dataRoot) throws IOException, InterruptedException {
    List<String> left = new ArrayList<>();
    for (String line : Files.readAllLines(Path.of("/proc/mounts"))) {
      if (line.contains(dataRoot.toString())) {
        left.add("mount: " + line);
      }
    }
    Process p = new ProcessBuilder("pgrep", "-af", "conmon|stdin-relay|zone-enter").start();
    for (String line : new String(p.getInputStream().readAllBytes()).split("\n")) {
      if (line.contains(dataRoot.toString())) {
        left.add("process: " + line);
      }
    }
    p.waitFor();
    Path runc = dataRoot.resolve("agent/runc");
    if (Files.isDirectory(runc)) {
      try (var s = Files.list(runc)) {
        s.forEach(d -> left.add("runc state: " + d));
      }
    }
    Path links = dataRoot.resolve("agent/s");
    if (Files.isDirectory(links)) {
      try (var s = Files.list(links)) {
        s.forEach(d -> left.add("conmon socket link: " + d));
      }
    }
    left.addAll(networkLeftovers(dataRoot));
    try (var controllers = Files.list(Path.of("/sys/fs/cgroup"))) {
      for (Path c : controllers.toList()) {
        Path ours = c.resolve("sdc-docker");
        if (!Files.isDirectory(ours) || Files.isSymbolicLink(c)) {
          continue;
        }
        try (var zones = Files.list(ours)) {
          for (Path z : zones.filter(Files::isDirectory).toList()) {
            // a zone's cgroup with no process in it is one nobody removed (a running daemon's have
            // processes)
            if (Files.readString(z.resolve("cgroup.procs")).isBlank()) {
              left.add("cgroup: " + z);
            }
          }
        }
      }
    }
    Path zones = dataRoot.resolve("agent/zones");
    if (Files.isDirectory(zones)) {
      try (var s = Files.list(zones)) {
        s.forEach(d -> left.add("zone dir: " + d));
      }
    }
    return left;
  }

  /**
   * What is left of this server's networks: its bridges, container namespaces, iptables rules
   * naming its bridges or subnets, address leases; and the shared chains, once no bridge of any
   * sdc-docker is left on the machine.
   */
  private static List<String> networkLeftovers(Path dataRoot)
      throws IOException, InterruptedException {
    List<String> left = new ArrayList<>();
    List<String> mine = new ArrayList<>();
    Path cn = dataRoot.resolve("agent/cn-uuid");
    Path nets = dataRoot.resolve("agent/networks");
    if (Files.exists(cn) && Files.isDirectory(nets)) {
      String cnUuid = Files.readString(cn).trim();
      try (var s = Files.list(nets)) {
        for (Path n : s.filter(x -> x.toString().endsWith(".json")).toList()) {
          String id = n.getFileName().toString().replace(".json", "");
          mine.add(ZoneNetwork.bridgeName(cnUuid, id));
          Matcher m = Pattern.compile("\"subnet\":\"([^\"]+)\"").matcher(Files.readString(n));
          if (m.find()) {
            mine.add(m.group(1));
          }
        }
      }
    }
    boolean anyBridge = false;
    Process links = new ProcessBuilder("ip", "-o", "link", "show").start();
    for (String line : new String(links.getInputStream().readAllBytes()).split("\n")) {
      String[] f = line.split(":\\s+", 3);
      if (f.length > 1 && f[1].startsWith("sdc-")) {
        anyBridge = true;
        if (mine.contains(f[1])) {
          left.add("link: " + f[1]);
        }
      }
    }
    links.waitFor();
    Path netns = Path.of("/run/netns");
    if (Files.isDirectory(netns)) {
      try (var s = Files.list(netns)) {
        s.filter(n -> n.getFileName().toString().startsWith("sdc-"))
            .forEach(n -> left.add("netns: " + n));
      }
    }
    Process rules = new ProcessBuilder("iptables-save").start();
    for (String line : new String(rules.getInputStream().readAllBytes()).split("\n")) {
      boolean shared = line.contains("SDC-") || line.contains("CNI-");
      if (mine.stream().anyMatch(line::contains) || shared && !anyBridge) {
        left.add("iptables: " + line);
      }
    }
    rules.waitFor();
    Path ipam = dataRoot.resolve("agent/cni/ipam");
    if (Files.isDirectory(ipam)) {
      try (var s = Files.walk(ipam)) {
        s.filter(Files::isRegularFile)
            .filter(f -> f.getFileName().toString().matches("\\d+\\.\\d+\\.\\d+\\.\\d+"))
            .forEach(f -> left.add("address lease: " + f));
      }
    }
    return left;
  }

  @Override
  public void close() throws Exception {
    DockerCli cli = new DockerCli(host());
    String ids = cli.run("ps", "-aq").out().trim();
    if (!ids.isEmpty()) {
      List<String> args = new ArrayList<>(List.of("rm", "-f"));
      args.addAll(List.of(ids.split("\\s+")));
      cli.run(args.toArray(String[]::new));
    }
    vertx.close().await();
    List<String> left = leftovers();
    if (left.isEmpty()) {
      TestFiles.deleteTree(dataRoot);
    } else {
      throw new AssertionError("the suite left things behind: " + left);
    }
  }
}
