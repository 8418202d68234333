package org.sdcdocker.frontend.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Vertx;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.sdcdocker.protocol.agent.AgentEvents.Heartbeat;
import org.sdcdocker.protocol.agent.ContainerSpec;
import org.sdcdocker.protocol.agent.HostOptions;
import org.sdcdocker.protocol.agent.NetStatus;
import org.sdcdocker.protocol.agent.NetworkSpec;
import org.sdcdocker.protocol.agent.ZoneRecord;
import org.sdcdocker.protocol.agent.ZoneState;

/** Placement's memory accounting, with creates in flight through other front ends. */
class PlacementTest {
  private static final long GIB = 1L << 30;
  private final Vertx vertx = Vertx.vertx();
  private final AgentDirectory agents = new AgentDirectory(vertx);
  private final ContainerIndex index = new ContainerIndex();
  private final Placement placement = new Placement(agents, index);

  @AfterEach
  void close() {
    vertx.close().await();
  }

  static ContainerSpec asking(String id, long memory) {
    ContainerSpec s = ContainerIndexTest.rec(id, id, "acct", ZoneState.created()).spec();
    return s.withHost(HostOptions.DEFAULT.withLimits(memory, 0, 0, 0, 0, 0), s.restartPolicy());
  }

  private void node(String cn, long memory) {
    heard(agents, cn, memory);
  }

  /** A node of {@code memory} bytes, empty, heard from. */
  static void heard(AgentDirectory agents, String cn, long memory) {
    agents.heard(
        new Heartbeat(cn, cn, "linux", 0, 0, 2, memory, "k", "os", "1", false, null, List.of()));
  }

  @Test
  void aReservationCounts_untilThisFrontEndKnowsTheContainer_thenItCountsOnce() {
    node("cn1", 10 * GIB);
    Map<String, String> held = Map.of("made1", "cn1 acct " + 4 * GIB);
    placement.inFlight(held);
    assertThat(placement.place("acct", asking("new1", 4 * GIB), null).cn()).isEqualTo("cn1");
    // the other front end's container, made: still reserved and now known (counted once, not twice)
    index.put(new ZoneRecord("cn1", asking("made1", 4 * GIB), ZoneState.created()));
    placement.inFlight(held);
    assertThat(placement.place("acct", asking("new2", 4 * GIB), null).cn()).isEqualTo("cn1");
    // made, answered, its reservation kept: a third 4 GiB does not fit beside two
    index.put(new ZoneRecord("cn1", asking("new2", 4 * GIB), ZoneState.created()));
    placement.inFlight(held);
    assertThatThrownBy(() -> placement.place("acct", asking("new3", 4 * GIB), null))
        .hasMessageContaining("no compute node has capacity for this container")
        .hasMessageContaining("the most any node has left is 2048 MiB");
  }

  @Test
  void aRemovedContainersReservation_leftInTheLedger_countsNowhere() {
    node("cn1", 10 * GIB);
    node("cn2", 10 * GIB);
    // three made on cn1 and removed at once: their reservations, kept a while after each create
    // answered, are still in the ledger (taking them back lost a race with another front end)
    for (String id : List.of("x1", "x2", "x3")) {
      index.put(new ZoneRecord("cn1", asking(id, 2 * GIB), ZoneState.created()));
      index.destroyed(id);
    }
    Map<String, String> held =
        Map.of(
            "x1", "cn1 acct " + 2 * GIB, "x2", "cn1 acct " + 2 * GIB, "x3", "cn1 acct " + 2 * GIB);
    placement.inFlight(held);
    // both nodes are empty: the spread does not avoid cn1, nor does its memory look taken
    index.put(new ZoneRecord("cn2", asking("y1", GIB), ZoneState.created()));
    assertThat(placement.place("acct", asking("y2", 8 * GIB), null).cn()).isEqualTo("cn1");
  }

  @Test
  void aMadeContainerNotYetKnownHere_stillCountsThroughItsReservation() {
    node("cn1", 10 * GIB);
    node("cn2", 10 * GIB);
    index.put(new ZoneRecord("cn1", asking("a", 4 * GIB), ZoneState.created()));
    index.put(new ZoneRecord("cn2", asking("b", 4 * GIB), ZoneState.created()));
    // cn1 and cn2 each had one more made through another front end; its event is not here yet
    placement.inFlight(Map.of("c", "cn1 acct " + 4 * GIB, "d", "cn2 acct " + 4 * GIB));
    assertThatThrownBy(() -> placement.place("acct", asking("e", 4 * GIB), null))
        .hasMessageContaining("no compute node has capacity");
  }

  /** A running container of {@code owner} on {@code cn} that holds host port 8080/tcp. */
  private static ZoneRecord holding8080(String cn, String id, String owner) {
    ContainerSpec spec = ContainerIndexTest.rec(id, id, owner, ZoneState.created()).spec();
    return new ZoneRecord(
        cn,
        spec,
        ZoneState.created().started(42, "2026-01-01T00:00:00Z"),
        1,
        new NetStatus("", List.of(), List.of(new NetStatus.BoundPort(80, "tcp", "", 8080))));
  }

  private static ContainerSpec asking8080(String id, String owner) {
    ContainerSpec s = ContainerIndexTest.rec(id, id, owner, ZoneState.created()).spec();
    NetworkSpec n = s.network();
    return s.withNetwork(
        new NetworkSpec(
            n.mode(),
            n.endpoints(),
            List.of(new NetworkSpec.PortSpec(80, "tcp", "", 8080, 8080)),
            n.exposed(),
            n.publishAll(),
            n.dns(),
            n.dnsSearch(),
            n.dnsOptions(),
            n.extraHosts(),
            n.links(),
            null));
  }

  @Test
  void aStoppedContainerOfAnotherAccount_keepsTheHostPortItAsksFor() {
    node("cn1", 10 * GIB);
    node("cn2", 10 * GIB);
    index.put(new ZoneRecord("cn1", asking8080("alices", "alice"), ZoneState.created()));
    index.put(new ZoneRecord("cn2", asking("b1", GIB), ZoneState.created()));
    index.put(new ZoneRecord("cn2", asking("b2", GIB), ZoneState.created()));
    assertThat(placement.place("bob", asking8080("bobs", "bob"), null).cn()).isEqualTo("cn2");
  }

  @Test
  void aHostPortAnotherAccountHolds_sendsTheContainerToAnotherNode() {
    node("cn1", 10 * GIB);
    node("cn2", 10 * GIB);
    index.put(holding8080("cn1", "alices", "alice"));
    index.put(new ZoneRecord("cn2", asking("b1", GIB), ZoneState.created()));
    index.put(new ZoneRecord("cn2", asking("b2", GIB), ZoneState.created()));
    // bob's would go to cn1 (fewer containers) but alice holds 8080 there
    assertThat(placement.place("bob", asking8080("bobs", "bob"), null).cn()).isEqualTo("cn2");
    index.put(holding8080("cn2", "alices2", "alice"));
    assertThatThrownBy(() -> placement.place("bob", asking8080("bobs", "bob"), null))
        .hasMessage(
            "Bind for 0.0.0.0:8080 failed: port is already allocated on every compute node");
  }
}
