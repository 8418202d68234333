package org.sdcdocker.launcher;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.sdcdocker.agent.server.AgentConfig;
import org.sdcdocker.agent.server.AgentVerticle;
import org.sdcdocker.frontend.server.FrontendConfig;
import org.sdcdocker.frontend.server.FrontendVerticle;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code sdc-docker}: the command line of the embedded default and, later, of fleet roles. */
@Command(
    name = "sdc-docker",
    mixinStandardHelpOptions = true,
    version = "sdc-docker 0.1.0",
    subcommands = {Main.Serve.class})
public final class Main {
  public static void main(String[] args) {
    System.exit(new CommandLine(new Main()).execute(args));
  }

  /** Front end and one agent in one JVM, on a local event bus. */
  @Command(
      name = "serve",
      description = "Run the embedded default: the API front end and one compute-node agent.")
  static final class Serve implements Callable<Integer> {
    @Option(
        names = {"-H", "--host"},
        description = "Where to listen (tcp://HOST:PORT or unix://PATH); repeatable.")
    List<String> hosts = new ArrayList<>();

    @Option(
        names = "--data-root",
        description = "Where everything is kept (default: ${DEFAULT-VALUE}).")
    Path dataRoot = Path.of("/var/lib/sdc-docker");

    @Option(
        names = "--datacenter",
        description = "The datacenter name docker info shows (default: ${DEFAULT-VALUE}).")
    String datacenter = "local";

    @Option(names = "--runtime", description = "The OCI runtime (default: ${DEFAULT-VALUE}).")
    String runtime = "/usr/sbin/runc";

    @Option(names = "--conmon", description = "The conmon binary (default: ${DEFAULT-VALUE}).")
    String conmon = "/usr/bin/conmon";

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
        names = "--network-pool",
        description =
            "The IPv4 range networks' subnets (one /24 each) come from "
                + "(default: ${DEFAULT-VALUE}).")
    String networkPool = AgentConfig.DEFAULT_POOL;

    @Option(
        names = "--dockerinit",
        required = true,
        description = "The static dockerinit binary to install into /native.")
    Path dockerinit;

    @Override
    public Integer call() throws Exception {
      if (hosts.isEmpty()) {
        hosts = List.of("tcp://127.0.0.1:2375", "unix:///var/run/sdc-docker.sock");
      }
      List<String> missing = new ArrayList<>();
      for (String p : List.of(runtime, conmon, dockerinit.toString())) {
        if (!Files.isExecutable(Path.of(p))) {
          missing.add(p);
        }
      }
      if (!missing.isEmpty()) {
        System.err.println("sdc-docker: missing " + String.join(", ", missing));
        return 1;
      }
      Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
      AgentConfig agent =
          new AgentConfig(
              dataRoot.resolve("agent"),
              runtime,
              conmon,
              dockerinit,
              "127.0.0.1",
              AgentConfig.KERNEL_BOOT_ID,
              networkPool);
      FrontendConfig front =
          new FrontendConfig(
              hosts,
              dataRoot.resolve("frontend"),
              datacenter,
              "127.0.0.1",
              allowHostBinds,
              maxDataVolumes,
              maxVolumesFrom,
              maxUrlVolumes);
      Future<String> up =
          vertx
              .deployVerticle(new AgentVerticle(agent))
              .compose(a -> vertx.deployVerticle(new FrontendVerticle(front)));
      try {
        up.await();
      } catch (Exception e) {
        System.err.println("sdc-docker: cannot start: " + e.getMessage());
        vertx.close();
        return 1;
      }
      System.err.println(
          "sdc-docker: serving on " + String.join(", ", hosts) + " (data under " + dataRoot + ")");
      Runtime.getRuntime().addShutdownHook(new Thread(() -> vertx.close().await()));
      Thread.currentThread().join();
      return 0;
    }
  }
}
