package org.sdcdocker.frontend.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sdcdocker.bus.AgentBus;
import org.sdcdocker.bus.ProtocolCodec;
import org.sdcdocker.protocol.agent.AgentEvents.Heartbeat;
import org.sdcdocker.protocol.agent.AgentRequests.ZoneList;
import org.sdcdocker.protocol.agent.Verbs;
import org.sdcdocker.protocol.agent.ZoneState;

/** How a front end lists a node's containers as the node's heartbeats come. */
class FleetNodesTest {
  private final Vertx vertx = Vertx.vertx();
  @TempDir Path dir;

  @AfterEach
  void close() {
    vertx.close().await();
  }

  private static Heartbeat beat(String cn, String incarnation) {
    return new Heartbeat(
        cn, cn, "linux", 1, 1, 2, 1L << 30, "k", "os", incarnation, false, null, List.of());
  }

  @Test
  void heartbeatsWhileANodeIsListed_askOnce_aNewRunOfItsAgentAsksAgain() throws Exception {
    ProtocolCodec.installOnce(vertx.eventBus());
    AtomicInteger asked = new AtomicInteger();
    AgentBus.serve(
        vertx,
        "cn1",
        Verbs.LIST,
        r -> {
          asked.incrementAndGet();
          Thread.sleep(300); // hundreds of zones take a moment
          return new ZoneList(
              List.of(ContainerIndexTest.rec("a".repeat(64), "web", "acct", ZoneState.created())));
        },
        (verb, e) -> AgentBus.failure(e));
    ContainerIndex index = new ContainerIndex();
    ContainerBackend backend =
        new ContainerBackend(
            vertx,
            new AgentDirectory(vertx),
            index,
            "blob",
            new EventLog(),
            SentConfigs.load(vertx, dir),
            Fabrics.POOL,
            FleetNetworks.load(null));
    FleetNodes nodes = backend.fleet();
    nodes.onHeartbeat(beat("cn1", "run1"));
    nodes.onHeartbeat(beat("cn1", "run1")); // the node beats again while its list comes
    nodes.onHeartbeat(beat("cn1", "run1"));
    awaitListed(nodes);
    assertThat(asked.get()).isEqualTo(1);
    assertThat(index.byId("a".repeat(64))).isNotNull();
    nodes.onHeartbeat(beat("cn1", "run1")); // listed: nothing to ask
    nodes.onHeartbeat(beat("cn1", "run2")); // its agent restarted: what runs is asked anew
    nodes.onHeartbeat(beat("cn1", "run2"));
    awaitListed(nodes);
    assertThat(asked.get()).isEqualTo(2);
  }

  private static void awaitListed(FleetNodes nodes) throws InterruptedException {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    Thread.sleep(50);
    while (!nodes.listedAll() && System.nanoTime() < until) {
      Thread.sleep(20);
    }
    assertThat(nodes.listedAll()).isTrue();
  }
}
