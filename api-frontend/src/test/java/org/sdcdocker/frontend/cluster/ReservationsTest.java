package org.sdcdocker.frontend.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.AsyncMap;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.sdcdocker.protocol.agent.ContainerSpec;
import org.sdcdocker.protocol.agent.ZoneRecord;
import org.sdcdocker.protocol.agent.ZoneState;

/**
 * The nodes' ledgers of creates in flight: set against this front end's copy, read again when
 * another front end changed them (here: written to the map behind this one's back).
 */
class ReservationsTest {
  private static final long GIB = 1L << 30;
  private final Vertx vertx = Vertx.vertx();
  private final AgentDirectory agents = new AgentDirectory(vertx);
  private final ContainerIndex index = new ContainerIndex();
  private final Placement placement = new Placement(agents, index);
  private final Reservations reservations = new Reservations(vertx, placement, 60_000);

  @AfterEach
  void close() {
    vertx.close().await();
  }

  private static ContainerSpec asking(String id, long memory) {
    return PlacementTest.asking(id, memory);
  }

  private void node(String cn, long memory) {
    PlacementTest.heard(agents, cn, memory);
  }

  private Placement.Placed place(String id, long memory) {
    return reservations
        .place("acct", id, () -> placement.place("acct", asking(id, memory), null))
        .await();
  }

  private AsyncMap<String, String> map() {
    return vertx.sharedData().<String, String>getAsyncMap("sdc.reservations").await();
  }

  @Test
  void aLedgerReadsBackAsWritten_withoutItsLapsedEntries() {
    var entries = new java.util.LinkedHashMap<String, Reservations.Ledger.Entry>();
    entries.put("a", new Reservations.Ledger.Entry("acct", 5, 2_000));
    entries.put("b", new Reservations.Ledger.Entry("other", 0, 1_000));
    String ledger = Reservations.Ledger.render(entries);
    assertThat(Reservations.Ledger.parse(ledger, 500)).isEqualTo(entries);
    assertThat(Reservations.Ledger.parse(ledger, 1_000)).containsOnlyKeys("a");
    assertThat(Reservations.Ledger.parse("", 0)).isEmpty();
  }

  @Test
  void aPlacementIsBookedInItsNodesLedger_andARefusedCreateGivesItBack() throws Exception {
    node("cn1", 10 * GIB);
    assertThat(place("c1", 4 * GIB).cn()).isEqualTo("cn1");
    assertThat(Reservations.Ledger.parse(map().get("cn1").await(), 0)).containsOnlyKeys("c1");
    reservations.answered("cn1", "c1", false);
    assertThat(awaitLedger("cn1", l -> l == null)).isNull(); // the empty ledger goes
  }

  @Test
  void aLedgerAnotherFrontEndChanged_isReadAgain_andItsEntriesCount() {
    node("cn1", 10 * GIB);
    node("cn2", 10 * GIB);
    index.put(new ZoneRecord("cn1", asking("k1", 0), ZoneState.created()));
    index.put(new ZoneRecord("cn1", asking("k2", 0), ZoneState.created()));
    assertThat(place("c1", 1 * GIB).cn()).isEqualTo("cn2"); // the fewest zones
    // another front end placed 8 GiB on cn2 meanwhile: this front end's copy is stale
    long lapses = System.currentTimeMillis() + 60_000;
    String before = map().get("cn2").await();
    map().put("cn2", before + "\nx1 acct " + 8 * GIB + " " + lapses).await();
    // chosen against the stale copy, 4 GiB goes to cn2 (one zone against two); the set fails, the
    // ledger is read again, and with 9 GiB in flight there cn1 is the only node it fits on
    assertThat(place("c2", 4 * GIB).cn()).isEqualTo("cn1");
    assertThat(Reservations.Ledger.parse(map().get("cn2").await(), 0)).containsOnlyKeys("c1", "x1");
  }

  @Test
  void concurrentPlacements_neverOverbookANode() {
    node("cn1", 10 * GIB);
    List<Future<Placement.Placed>> all = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      String id = "p" + i;
      all.add(
          reservations.place("acct", id, () -> placement.place("acct", asking(id, 4 * GIB), null)));
    }
    Future.join(all).otherwise(e -> null).await();
    assertThat(all.stream().filter(Future::succeeded).count()).isEqualTo(2);
    assertThat(Reservations.Ledger.parse(map().get("cn1").await(), 0)).hasSize(2);
    assertThatThrownBy(() -> place("p9", 4 * GIB))
        .hasMessageContaining("no compute node has capacity");
  }

  private String awaitLedger(String cn, java.util.function.Predicate<String> done)
      throws InterruptedException {
    for (int i = 0; i < 100; i++) {
      String l = map().get(cn).await();
      if (done.test(l)) {
        return l;
      }
      Thread.sleep(20);
    }
    return map().get(cn).await();
  }
}
