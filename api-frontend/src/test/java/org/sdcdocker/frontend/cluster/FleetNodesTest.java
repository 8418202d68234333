package org.sdcdocker.frontend.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sdcdocker.bus.AgentBus;
import org.sdcdocker.bus.ProtocolCodec;
import org.sdcdocker.protocol.agent.AgentEvents.Heartbeat;
import org.sdcdocker.protocol.agent.AgentRequests.ListZones;
import org.sdcdocker.protocol.agent.AgentRequests.ZoneList;
import org.sdcdocker.protocol.agent.Verbs;
import org.sdcdocker.protocol.agent.ZoneRecord;
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
    FleetNodes nodes = fleet(index);
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

  /** A front end's view of the fleet over {@code index}, on this test's bus. */
  private FleetNodes fleet(ContainerIndex index) throws Exception {
    return new ContainerBackend(
            vertx,
            new AgentDirectory(vertx),
            index,
            "blob",
            new EventLog(),
            SentConfigs.load(vertx, dir),
            Fabrics.POOL,
            FleetNetworks.load(null))
        .fleet();
  }

  private static ZoneRecord on(String cn, ZoneRecord r) {
    return new ZoneRecord(cn, r.spec(), r.state(), r.version(), r.net());
  }

  @Test
  void aNodeThatComesBack_sendsWhatChanged_andTheIndexKeepsWhatDidNot() throws Exception {
    ProtocolCodec.installOnce(vertx.eventBus());
    ZoneRecord a =
        on("cn1", ContainerIndexTest.rec("a".repeat(64), "a", "acct", ZoneState.created()));
    ZoneRecord b =
        on("cn1", ContainerIndexTest.rec("b".repeat(64), "b", "acct", ZoneState.created()));
    ZoneRecord c =
        on("cn1", ContainerIndexTest.rec("c".repeat(64), "c", "acct", ZoneState.created()));
    ZoneRecord d =
        on("cn1", ContainerIndexTest.rec("d".repeat(64), "d", "acct", ZoneState.created()));
    AtomicReference<List<ZoneRecord>> zones = new AtomicReference<>(List.of(a, b, c));
    List<ListZones> asks = new CopyOnWriteArrayList<>();
    List<ZoneList> answers = new CopyOnWriteArrayList<>();
    AgentBus.serve(
        vertx,
        "cn1",
        Verbs.LIST,
        r -> {
          asks.add(r);
          ZoneList answer = ZoneList.answering(r, zones.get());
          answers.add(answer);
          return answer;
        },
        (verb, e) -> AgentBus.failure(e));
    ContainerIndex index = new ContainerIndex();
    FleetNodes nodes = fleet(index);
    nodes.onHeartbeat(beat("cn1", "run1"));
    awaitListed(nodes);
    assertThat(asks.get(0).known()).isEmpty();
    assertThat(answers.get(0).zones()).hasSize(3);
    // while its agent was away: b changed, c was removed, d was made; a is as it was
    ZoneRecord b2 = b.withState(ZoneState.created());
    zones.set(List.of(a, b2, d));
    nodes.onHeartbeat(beat("cn1", "run2"));
    awaitListed(nodes);
    assertThat(asks.get(1).known())
        .containsOnly(
            Map.entry(a.spec().id(), a.version()),
            Map.entry(b.spec().id(), b.version()),
            Map.entry(c.spec().id(), c.version()));
    assertThat(answers.get(1).unchanged()).containsExactly(a.spec().id());
    assertThat(answers.get(1).zones()).containsExactly(b2, d);
    assertThat(index.byId(a.spec().id())).isEqualTo(a);
    assertThat(index.byId(b.spec().id())).isEqualTo(b2);
    assertThat(index.byId(c.spec().id())).isNull();
    assertThat(index.byId(d.spec().id())).isEqualTo(d);
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
