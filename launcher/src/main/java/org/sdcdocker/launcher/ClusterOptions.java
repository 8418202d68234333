package org.sdcdocker.launcher;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.config.AdvancedNetworkConfig;
import com.hazelcast.config.Config;
import com.hazelcast.config.InterfacesConfig;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.MultiMapConfig;
import com.hazelcast.config.ServerSocketEndpointConfig;
import com.hazelcast.partition.NoDataMemberInClusterException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.sdcdocker.bus.Tls;
import org.sdcdocker.bus.log.JsonLogs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Option;

/**
 * How a fleet member joins the cluster: Hazelcast over TCP/IP to the members listed (multicast,
 * auto-detection and phone-home off, bound to one address only), and the Vert.x event bus between
 * members over TLS with the operator's certificates: a member without a certificate its peers' CA
 * signed cannot join the bus. Hazelcast's own member links carry no secrets (membership, the bus's
 * address table, locks) and belong on the private admin network.
 */
final class ClusterOptions {
  private static final Logger LOG = LoggerFactory.getLogger("sdc-docker");

  private HazelcastClusterManager manager;

  @Option(
      names = "--cluster-name",
      description =
          "The fleet's name; members of other fleets are refused (default: ${DEFAULT-VALUE}).")
  String name = "sdc-docker";

  @Option(
      names = "--cluster-host",
      required = true,
      description =
          "This member's address on the admin network (the cluster and its event bus bind it).")
  String host;

  @Option(
      names = "--cluster-port",
      description = "This member's cluster port (default: ${DEFAULT-VALUE}).")
  int port = 5701;

  @Option(
      names = "--cluster-member",
      split = ",",
      description = "HOST:PORT of another member to join through; repeatable.")
  List<String> members = new ArrayList<>();

  @Option(
      names = "--cluster-cert",
      description = "PEM certificate of this member, for the event bus's TLS.")
  Path cert;

  @Option(names = "--cluster-key", description = "PEM private key of --cluster-cert.")
  Path key;

  @Option(
      names = "--cluster-ca",
      description = "PEM certificate of the CA that signs every member's certificate.")
  Path ca;

  @Option(
      names = "--cluster-insecure",
      description = "Run the event bus without TLS (a test fleet on one machine's loopback only).")
  boolean insecure;

  /**
   * The member's TLS material for the byte streams between machines; null with --cluster-insecure.
   */
  Tls tls() {
    return insecure ? null : new Tls(cert, key, ca);
  }

  /** The reasons these options cannot make a member, or none. */
  List<String> problems() {
    List<String> out = new ArrayList<>();
    if (!insecure && (cert == null || key == null || ca == null)) {
      out.add(
          "the event bus between members needs --cluster-cert, --cluster-key and --cluster-ca "
              + "(or --cluster-insecure on a test fleet)");
    }
    for (Path p : new Path[] {cert, key, ca}) {
      if (p != null && !Files.isReadable(p)) {
        out.add("cannot read " + p);
      }
    }
    if (out.isEmpty() && !insecure) {
      try {
        new Tls(cert, key, ca).load(); // here, on the launcher's thread, not on an event loop
      } catch (IllegalStateException e) {
        out.add(e.getMessage());
      }
    }
    for (String m : members) {
      if (!m.matches("[^:\\s]+:\\d+")) {
        out.add("--cluster-member " + m + ": HOST:PORT expected");
      }
    }
    return out;
  }

  /** How long an agent started before any front end waits for one, trying again every 2 s. */
  static final long FRONT_END_PATIENCE_MS = 150_000; // under systemd's 180 s to start

  /**
   * Joins the cluster as an agent (a lite member, holding none of the cluster's data). An agent
   * started before any front end of its fleet is in the cluster (a whole fleet powered on, the
   * nodes faster than the head node) finds only other agents, which cannot hold the cluster's maps:
   * Hazelcast refuses it with NoDataMemberInClusterException. It then leaves and tries again every
   * 2 s, saying so, for {@link #FRONT_END_PATIENCE_MS} at most; any other failure ends it at once.
   * Blocks the calling thread (the launcher's).
   */
  Future<Vertx> joinAsAgent(String cnUuid, String incarnation) {
    long deadline = System.nanoTime() + FRONT_END_PATIENCE_MS * 1_000_000;
    for (int attempt = 1; ; attempt++) {
      // what Hazelcast and Vert.x log of a refused join (a warning and a stack) would come at each
      // attempt: this loop says it, now and then; any other failure it logs whole
      try (AutoCloseable quiet =
          JsonLogs.hush(
              "io.vertx.core.impl.VertxImpl",
              "com.hazelcast.internal.partition.impl.PartitionStateManager")) {
        return Future.succeededFuture(join("agent", cnUuid, incarnation, true).await());
      } catch (Exception e) {
        boolean noFrontEnd = noFrontEnd(e);
        if (!noFrontEnd) {
          LOG.error("sdc-docker: the agent could not join the cluster", e); // what was hushed
        }
        if (!noFrontEnd || System.nanoTime() > deadline) {
          return Future.failedFuture(
              noFrontEnd
                  ? new IllegalStateException(
                      "no front end of the fleet "
                          + name
                          + " joined the cluster within "
                          + FRONT_END_PATIENCE_MS / 1000
                          + " s (members asked: "
                          + String.join(", ", members)
                          + ")")
                  : e);
        }
        if (attempt == 1 || attempt % 15 == 0) {
          LOG.warn(
              "sdc-docker: no front end of the fleet {} is in the cluster yet ({}); trying again"
                  + " every 2 s",
              name,
              String.join(", ", members));
        }
        try {
          Thread.sleep(2000);
        } catch (InterruptedException stop) {
          Thread.currentThread().interrupt();
          return Future.failedFuture(stop);
        }
      }
    }
  }

  private static boolean noFrontEnd(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof NoDataMemberInClusterException) {
        return true;
      }
    }
    return false;
  }

  /**
   * Joins the cluster as {@code role}; a lite member holds none of the cluster's data (agents). The
   * future fails when the member cannot join.
   */
  Future<Vertx> join(String role, String cnUuid, String incarnation, boolean lite) {
    Config hz = new Config().setClusterName(name).setLiteMember(lite);
    hz.setProperty("hazelcast.phone.home.enabled", "false");
    hz.setProperty("hazelcast.socket.bind.any", "false");
    hz.setProperty("hazelcast.heartbeat.interval.seconds", "1");
    hz.setProperty("hazelcast.max.no.heartbeat.seconds", "10");
    // a member cut off (a paused JVM, a partition) is removed after 10 s without heartbeats; once
    // it can talk again, the split-brain check that merges it back runs every 5 s (Hazelcast's
    // default is 2 min; 15 s here before kept a node paused for 20 s away for 20 s more)
    hz.setProperty("hazelcast.merge.first.run.delay.seconds", "5");
    hz.setProperty("hazelcast.merge.next.run.delay.seconds", "5");
    hz.setProperty("hazelcast.graceful.shutdown.max.wait", "30");
    hz.setProperty("hazelcast.wait.seconds.before.join", "0");
    // once joined, Hazelcast checks that it holds a connection to every member, and sleeps a whole
    // second when one is still being made: a restarted agent was "started" 1 s after it had
    // joined in two restarts of six. The links are made anyway, and used when they are there.
    hz.setProperty("hazelcast.connect.all.wait.seconds", "0");
    hz.setProperty("hazelcast.logging.type", "slf4j"); // JSON lines, warnings and worse
    // no Management Center reads Hazelcast's metrics, and its health monitor and slow-operation
    // detector log below the WARNING level kept here: their threads would do nothing useful
    hz.setProperty("hazelcast.metrics.enabled", "false");
    hz.setProperty("hazelcast.health.monitoring.level", "OFF");
    hz.setProperty("hazelcast.slow.operation.detector.enabled", "false");
    if (lite) {
      // an agent holds no partitions and its Hazelcast traffic is membership and a few lookups
      // (the event bus has its own connections): one thread of each kind, not Hazelcast's
      // per-core pools; 11 threads and about 6 MiB of an idle agent's RSS less
      hz.setProperty("hazelcast.io.thread.count", "1");
      hz.setProperty("hazelcast.event.thread.count", "1");
      hz.setProperty("hazelcast.operation.thread.count", "1");
      hz.setProperty("hazelcast.operation.generic.thread.count", "1");
      hz.setProperty("hazelcast.response.thread.count", "1");
    }
    // the member protocol only, no endpoint for Hazelcast's clients (the fleet has none): a member
    // without one builds no client engine, whose ~1,100 classes and lambdas were a tenth of an
    // agent's metaspace
    AdvancedNetworkConfig net = hz.getAdvancedNetworkConfig().setEnabled(true);
    ServerSocketEndpointConfig member =
        new ServerSocketEndpointConfig()
            .setPort(port)
            .setPortAutoIncrement(false)
            .setInterfaces(new InterfacesConfig().setEnabled(true).addInterface(host));
    if (lite) {
      // an agent's member links carry membership and a few lookups: a 32 KiB buffer each way per
      // link, not 128. They are heap arrays, two per link: 1 MiB of an agent's heap with two front
      // ends and two other agents. (With the advanced network config the endpoint's sizes count;
      // Hazelcast's hazelcast.socket.*.buffer.size properties are not read.)
      member.setSocketRcvBufferSizeKb(32).setSocketSendBufferSizeKb(32);
    }
    net.setMemberEndpointConfig(member);
    JoinConfig join = net.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).setMembers(new ArrayList<>(members));
    // two backups, as the fleet's own maps: where the handlers are survives two front ends lost
    // at once (with one, a partition and its backup could go together, and a node's verbs then
    // found no handler although its agent ran)
    hz.getMultiMapConfig("__vertx.subs")
        .setBackupCount(2)
        .setValueCollectionType(MultiMapConfig.ValueCollectionType.SET);
    hz.getMapConfig("__vertx.nodeInfo").setBackupCount(2);
    hz.getMapConfig("sdc.*").setBackupCount(2);
    hz.getMemberAttributeConfig().setAttribute("sdc.role", role);
    if (cnUuid != null) {
      hz.getMemberAttributeConfig().setAttribute("sdc.cn", cnUuid);
      hz.getMemberAttributeConfig().setAttribute("sdc.incarnation", incarnation);
    }
    EventBusOptions bus = new EventBusOptions().setHost(host).setPort(0).setClusterPublicHost(host);
    // what sdc-dockeradm status shows of each member: its role and, for an agent, its node
    bus.setClusterNodeMetadata(
        new JsonObject().put("role", role).put("address", host + ":" + port).put("node", cnUuid));
    if (!insecure) {
      // the paths, not the loaded material: the clustered bus copies its options through JSON
      bus.setSsl(true)
          .setKeyCertOptions(
              new PemKeyCertOptions().setCertPath(cert.toString()).setKeyPath(key.toString()))
          .setTrustOptions(new PemTrustOptions().addCertPath(ca.toString()))
          .setClientAuth(ClientAuth.REQUIRED);
    }
    VertxOptions options =
        new VertxOptions().setPreferNativeTransport(true).setEventBusOptions(bus);
    FreshRoutes routes = new FreshRoutes(hz);
    manager = routes;
    return Vertx.builder()
        .with(options)
        .withClusterManager(routes)
        .buildClustered()
        .onSuccess(routes::keep);
  }

  /**
   * Tells this member's front end, on its local bus, who left the cluster (killed, or gone from the
   * network): at {@code agentLeft} the compute node whose agent it was and that agent's incarnation
   * ("UUID INCARNATION"), so that requests waiting on it fail then, without waiting for the missed
   * heartbeats; at {@code frontEndLeft} another front end's member id, so that nothing waits for it
   * to copy a change.
   */
  void onMemberLeft(Vertx vertx, String agentLeft, String frontEndLeft) {
    manager
        .getHazelcastInstance()
        .getCluster()
        .addMembershipListener(
            new MembershipListener() {
              @Override
              public void memberAdded(MembershipEvent e) {}

              @Override
              public void memberRemoved(MembershipEvent e) {
                String cn = e.getMember().getAttribute("sdc.cn");
                String run = e.getMember().getAttribute("sdc.incarnation");
                DeliveryOptions local = new DeliveryOptions().setLocalOnly(true);
                if (cn != null && run != null) { // this run of the agent: a later one may be up
                  vertx.eventBus().send(agentLeft, cn + " " + run, local);
                } else if ("frontend".equals(e.getMember().getAttribute("sdc.role"))) {
                  String nodeId = e.getMember().getAttribute("__vertx.nodeId"); // Vert.x's id
                  if (nodeId != null) {
                    vertx.eventBus().send(frontEndLeft, nodeId, local);
                  }
                }
              }
            });
  }
}
