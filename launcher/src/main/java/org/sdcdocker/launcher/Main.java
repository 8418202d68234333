package org.sdcdocker.launcher;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.IOException;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.function.Supplier;
import org.sdcdocker.agent.server.AgentConfig;
import org.sdcdocker.agent.server.AgentVerticle;
import org.sdcdocker.agent.zone.UrlPolicy;
import org.sdcdocker.bus.Tls;
import org.sdcdocker.frontend.server.ApiTls;
import org.sdcdocker.frontend.server.FrontendConfig;
import org.sdcdocker.frontend.server.FrontendVerticle;
import org.sdcdocker.protocol.DockerException;
import org.sdcdocker.protocol.LogLine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code sdc-docker}: the embedded default ({@code serve}: front end and one agent in one JVM) and
 * the fleet's two roles ({@code agent} on each compute node, {@code frontend} one or more), which
 * meet on a clustered event bus.
 *
 * <p>Why it is long: each role's options (Picocli) with their checks, and the start and orderly
 * stop of each role's verticles and cluster membership.
 */
@Command(
    name = "sdc-docker",
    mixinStandardHelpOptions = true,
    version = "sdc-docker 0.1.0",
    subcommands = {Main.Serve.class, Main.Agent.class, Main.Frontend.class})
public final class Main {
  /** The launcher's own lines (start, readiness, failure to start). */
  private static final Logger LOG = LoggerFactory.getLogger("sdc-docker");

  public static void main(String[] args) {
    // Vert.x's and Hazelcast's own lines through SLF4J (and so as JSON lines), not
    // java.util.logging; Hazelcast reads the property before any of its config
    System.setProperty(
        "vertx.logger-delegate-factory-class-name",
        "io.vertx.core.logging.SLF4JLogDelegateFactory");
    System.setProperty("hazelcast.logging.type", "slf4j");
    // Vert.x turns a member's PEM key into a PKCS#12 store in memory and reads it back, for the
    // event bus's server and its client: at the JDK's 10,000 rounds of PBKDF2 per key entry that
    // was 0.4-1.2 s of an agent's join (it compiles with C1 only). The store never leaves memory
    // and the key came from a plain PEM file, so the rounds protect nothing (bus/Tls does the
    // same); nothing here writes a PKCS#12 file.
    unlessSet("keystore.pkcs12.keyPbeIterationCount", "1");
    // Netty would register its allocator's events with the flight recorder, which no one runs
    // here: 112 of the JDK's classes and 1.2 MiB in every role
    unlessSet("io.netty.jfr.enabled", "false");
    CommandLine cli = new CommandLine(new Main());
    try {
      ConfigFile config = ConfigFile.from(args);
      if (config != null) {
        cli.setDefaultValueProvider(config);
      }
      cli.setExecutionStrategy(
          parsed -> {
            CommandLine.ParseResult sub = parsed.subcommand();
            if (config != null && sub != null) {
              config.check(sub.commandSpec());
            }
            if (sub != null && sub.hasMatchedOption("--print-config")) {
              System.out.println(ConfigFile.print(sub.commandSpec()));
              return 0;
            }
            if (sub != null && sub.commandSpec().name().equals("agent")) {
              agentBuffers(); // before Netty's first use
            }
            if (sub != null && sub.commandSpec().name().equals("frontend")) {
              commonPool(); // before anything uses the pool
            }
            return new CommandLine.RunLast().execute(parsed);
          });
    } catch (IOException | CommandLine.PicocliException e) {
      System.err.println("sdc-docker: " + e.getMessage());
      System.exit(2);
    }
    System.exit(cli.execute(args));
  }

  /**
   * An agent takes Netty's buffers from one pool in 512 KiB chunks. Netty's default (adaptive)
   * allocator, which Vert.x uses unless the type is {@code pooled}, keeps a chunk of about 450 KiB
   * for each size of buffer it was ever asked for: 6 MiB once a node answered the front ends' lists
   * of 333 containers, 1.5 MiB so. Set here, not on the JVM's command line, so that every way of
   * starting an agent (bin/sdc-docker, the fleet test) gets them; a -D given there wins.
   */
  private static void agentBuffers() {
    unlessSet("io.netty.allocator.type", "pooled");
    unlessSet("io.netty.allocator.numDirectArenas", "1");
    unlessSet("io.netty.allocator.numHeapArenas", "1");
    unlessSet("io.netty.allocator.maxOrder", "6");
  }

  /**
   * A front end's JDK common pool gets two threads even on a machine of two cores or fewer, where
   * it would get one. Hazelcast completes its callbacks (those of every asynchronous map operation
   * Vert.x asks of it) in that pool only when it has two threads or more; with one, it starts a new
   * thread for each callback. On this project's 2-core VM that was two threads made and ended for
   * each create or removal through a front end. An agent asks so little of Hazelcast that it keeps
   * the JDK's choice. Set before anything uses the pool; a -D given wins.
   */
  private static void commonPool() {
    if (Runtime.getRuntime().availableProcessors() <= 2) {
      unlessSet("java.util.concurrent.ForkJoinPool.common.parallelism", "2");
    }
  }

  private static void unlessSet(String property, String value) {
    if (System.getProperty(property) == null) {
      System.setProperty(property, value);
    }
  }

  /** {@code --config FILE}: the role's flags from a JSON file; read before the others. */
  static final class ConfigOption {
    @Option(
        names = "--config",
        description =
            "A JSON file of this command's flags by long name (\"cluster-host\": \"10.0.0.1\"); "
                + "flags given here override it.")
    Path config;

    @Option(
        names = "--print-config",
        description =
            "Print this command's configuration (the file's, then the flags') as a config file "
                + "and exit.")
    boolean printConfig;
  }

  /** What an agent runs containers with. */
  static final class AgentOptions {
    @Option(names = "--runtime", description = "The OCI runtime (default: ${DEFAULT-VALUE}).")
    String runtime = "/usr/sbin/runc";

    @Option(names = "--conmon", description = "The conmon binary (default: ${DEFAULT-VALUE}).")
    String conmon = "/usr/bin/conmon";

    @Option(
        names = "--network-pool",
        description =
            "The IPv4 range networks' subnets (one /24 each) come from "
                + "(default: ${DEFAULT-VALUE}).")
    String networkPool = AgentConfig.DEFAULT_POOL;

    @Option(
        names = "--url-volume-allow",
        split = ",",
        paramLabel = "CIDR",
        description =
            "Addresses URL volumes may also be fetched from (they come only from public addresses"
                + " otherwise: never loopback, private, link-local or this node's own); repeatable.")
    List<String> urlVolumeAllow = new ArrayList<>();

    @Option(
        names = "--dockerinit",
        required = true,
        description = "The static dockerinit binary to install into /native.")
    Path dockerinit;

    /** What keeps an agent from running: programs that are missing, flags that are wrong. */
    List<String> problems() {
      List<String> out = new ArrayList<>();
      for (String p : List.of(runtime, conmon, dockerinit.toString())) {
        if (!Files.isExecutable(Path.of(p))) {
          out.add("missing " + p);
        }
      }
      try {
        UrlPolicy.of(urlVolumeAllow);
      } catch (DockerException e) {
        out.add("--url-volume-allow: " + e.getMessage());
      }
      return out;
    }

    AgentConfig config(Path dataRoot, String streamHost, Tls tls) {
      return new AgentConfig(
          dataRoot,
          runtime,
          conmon,
          dockerinit,
          streamHost,
          AgentConfig.KERNEL_BOOT_ID,
          networkPool,
          tls,
          urlVolumeAllow);
    }
  }

  /** What a front end serves and allows. */
  static final class FrontendOptions {
    @Option(
        names = {"-H", "--host"},
        split = ",",
        description = "Where to listen (tcp://HOST:PORT or unix://PATH); repeatable.")
    List<String> hosts = new ArrayList<>();

    @Option(
        names = "--datacenter",
        description = "The datacenter name docker info shows (default: ${DEFAULT-VALUE}).")
    String datacenter = "local";

    @Option(
        names = "--allow-host-binds",
        description =
            "Let containers bind host paths (-v /host:/path); off by default, as a fleet's tenants must never reach a compute node's files.")
    boolean allowHostBinds;

    @Option(
        names = "--max-data-volumes",
        description = "Data volumes a container may have (default: ${DEFAULT-VALUE}).")
    int maxDataVolumes = 8;

    @Option(
        names = "--max-volumes-from",
        description = "--volumes-from arguments a container may have (default: ${DEFAULT-VALUE}).")
    int maxVolumesFrom = 1;

    @Option(
        names = "--max-url-volumes",
        description = "URL (host) volumes a container may have (default: ${DEFAULT-VALUE}).")
    int maxUrlVolumes = 1;

    @Option(
        names = "--admin-socket",
        description =
            "The operators' API (sdc-dockeradm), a unix socket only root may open (default: "
                + "admin.sock under the front end's data root).")
    Path adminSocket;

    @Option(
        names = {"--tlsverify", "--tls"},
        description =
            "Serve tcp:// hosts over TLS, each client's certificate its account (dockerd's flag); "
                + "implied by --tlscert. Without certificate files the server makes a CA and a "
                + "server certificate under its data root (tls/).")
    boolean tlsVerify;

    @Option(
        names = "--tlscacert",
        description = "The CA whose client certificates are accepted (default: tls/ca.pem).")
    Path tlsCaCert;

    @Option(
        names = "--tlscakey",
        description =
            "The key of --tlscacert: the server then signs its own certificate (without"
                + " --tlscert) and clients' (sdc-dockeradm cert issue) with that CA. Front ends"
                + " of a fleet given the same CA are interchangeable for every client.")
    Path tlsCaKey;

    @Option(names = "--tlscert", description = "The server's certificate (PEM).")
    Path tlsCert;

    @Option(names = "--tlskey", description = "The server certificate's key (PEM).")
    Path tlsKey;

    @Option(
        names = "--fabric-pool",
        description =
            "In a fleet: the IPv4 range each account's default network, one /22 across every"
                + " compute node, comes from (default: 10.192.0.0/12; apart from the agents'"
                + " --network-pool and the nodes' own networks).")
    String fabricPool;

    FrontendConfig config(Path dataRoot, String imageServiceHost, Tls tls) {
      boolean apiTls =
          tlsVerify || tlsCert != null || tlsKey != null || tlsCaCert != null || tlsCaKey != null;
      if (hosts.isEmpty()) {
        hosts =
            List.of(
                apiTls ? "tcp://0.0.0.0:2376" : "tcp://127.0.0.1:2375",
                "unix:///var/run/sdc-docker.sock");
      }
      return new FrontendConfig(
          hosts,
          dataRoot,
          datacenter,
          imageServiceHost,
          allowHostBinds,
          maxDataVolumes,
          maxVolumesFrom,
          maxUrlVolumes,
          tls,
          adminSocket != null ? adminSocket : dataRoot.resolve("admin.sock"),
          apiTls ? new ApiTls.Options(tlsCaCert, tlsCaKey, tlsCert, tlsKey) : null,
          fabricPool);
    }
  }

  /** Front end and one agent in one JVM, on a local event bus. */
  @Command(
      name = "serve",
      description = "Run the embedded default: the API front end and one compute-node agent.")
  static final class Serve implements Callable<Integer> {
    @Option(
        names = "--data-root",
        description = "Where everything is kept (default: ${DEFAULT-VALUE}).")
    Path dataRoot = Path.of("/var/lib/sdc-docker");

    @Mixin FrontendOptions front = new FrontendOptions();
    @Mixin AgentOptions agent = new AgentOptions();
    @Mixin ConfigOption config = new ConfigOption();

    @Override
    public Integer call() throws Exception {
      LogLine.identify("serve", null);
      if (!agent.problems().isEmpty()) {
        agent.problems().forEach(p -> System.err.println("sdc-docker: " + p));
        return 1;
      }
      FrontendConfig fc = front.config(dataRoot.resolve("frontend"), "127.0.0.1", null);
      AgentConfig ac = agent.config(dataRoot.resolve("agent"), "127.0.0.1", null);
      Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
      return run(
          () -> Future.succeededFuture(vertx),
          v ->
              v.deployVerticle(new AgentVerticle(ac))
                  .compose(a -> v.deployVerticle(new FrontendVerticle(fc))),
          "serving on " + String.join(", ", fc.hosts()) + " (data under " + dataRoot + ")");
    }
  }

  /** One compute node's agent, a member of a fleet. */
  @Command(
      name = "agent",
      description = "Run a compute node's agent: it joins the fleet's cluster and runs containers.")
  static final class Agent implements Callable<Integer> {
    @Option(
        names = "--data-root",
        description = "Where the node's containers are kept (default: ${DEFAULT-VALUE}).")
    Path dataRoot = Path.of("/var/lib/sdc-docker/agent");

    @Option(
        names = "--advertise",
        description =
            "The address front ends reach this node's data plane at (logs, attach, exec, copy); "
                + "default: --cluster-host.")
    String advertise;

    @Mixin AgentOptions agent = new AgentOptions();
    @Mixin ClusterOptions cluster = new ClusterOptions();
    @Mixin ConfigOption config = new ConfigOption();

    @Override
    public Integer call() throws Exception {
      List<String> problems = new ArrayList<>(cluster.problems());
      problems.addAll(agent.problems());
      if (!problems.isEmpty()) {
        problems.forEach(p -> System.err.println("sdc-docker agent: " + p));
        return 1;
      }
      String cnUuid = AgentVerticle.cnUuidOf(dataRoot);
      LogLine.identify("agent", cnUuid);
      AgentConfig ac =
          agent.config(dataRoot, advertise != null ? advertise : cluster.host, cluster.tls());
      String incarnation = UUID.randomUUID().toString();
      FileLock held;
      try {
        held = AgentVerticle.lockDataRoot(dataRoot); // before the join: a second agent never joins
      } catch (IllegalStateException e) {
        LOG.error("sdc-docker: cannot start: {}", e.getMessage());
        return 1;
      }
      return run(
          () -> cluster.joinAsAgent(cnUuid, incarnation),
          v -> v.deployVerticle(new AgentVerticle(ac, incarnation, held)),
          "agent of the fleet "
              + cluster.name
              + " on "
              + cluster.host
              + ":"
              + cluster.port
              + " (data under "
              + dataRoot
              + ")");
    }
  }

  /** A front end of a fleet: the Docker API over every compute node of the cluster. */
  @Command(
      name = "frontend",
      description =
          "Run an API front end of a fleet: it joins the cluster and serves Docker's API.")
  static final class Frontend implements Callable<Integer> {
    @Option(
        names = "--data-root",
        description = "Where this front end's images are kept (default: ${DEFAULT-VALUE}).")
    Path dataRoot = Path.of("/var/lib/sdc-docker/frontend");

    @Option(
        names = "--advertise",
        description =
            "The address agents fetch image layers from this front end at; default: --cluster-host.")
    String advertise;

    @Mixin FrontendOptions front = new FrontendOptions();
    @Mixin ClusterOptions cluster = new ClusterOptions();
    @Mixin ConfigOption config = new ConfigOption();

    @Override
    public Integer call() throws Exception {
      if (!cluster.problems().isEmpty()) {
        cluster.problems().forEach(p -> System.err.println("sdc-docker frontend: " + p));
        return 1;
      }
      LogLine.identify("frontend", null);
      FrontendConfig fc =
          front.config(dataRoot, advertise != null ? advertise : cluster.host, cluster.tls());
      return run(
          () -> cluster.join("frontend", null, null, false),
          v -> {
            cluster.onMemberLeft(v, FrontendVerticle.AGENT_LEFT, FrontendVerticle.FRONTEND_LEFT);
            return v.deployVerticle(new FrontendVerticle(fc));
          },
          "front end of the fleet "
              + cluster.name
              + " serving on "
              + String.join(", ", fc.hosts())
              + " (data under "
              + dataRoot
              + ")");
    }
  }

  /**
   * Makes the Vert.x instance, deploys into it, says so, and runs until the JVM is stopped (its
   * hook closes Vert.x: a clustered member leaves the cluster).
   */
  private static int run(
      Supplier<Future<Vertx>> made, Function<Vertx, Future<String>> deploy, String serving)
      throws InterruptedException {
    Vertx vertx;
    long begun = System.nanoTime();
    long joined;
    try {
      vertx = made.get().await();
      joined = System.nanoTime();
    } catch (Exception e) {
      LOG.error("sdc-docker: cannot join the cluster: {}", e.getMessage());
      return 1;
    }
    try {
      deploy.apply(vertx).await();
    } catch (Exception e) {
      LOG.error("sdc-docker: cannot start: {}", e.getMessage());
      vertx.close().await();
      return 1;
    }
    long ready = System.nanoTime();
    LOG.info(
        "sdc-docker: {}; {}{} ms to start",
        serving,
        vertx.isClustered()
            ? "joined the cluster in " + (joined - begun) / 1_000_000 + " ms, "
            : "",
        (ready - joined) / 1_000_000);
    Readiness.ready(serving);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  Readiness.stopping();
                  vertx.close().await();
                }));
    Thread.currentThread().join();
    return 0;
  }
}
