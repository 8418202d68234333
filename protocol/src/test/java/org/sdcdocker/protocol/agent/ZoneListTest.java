package org.sdcdocker.protocol.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.sdcdocker.protocol.Json;
import org.sdcdocker.protocol.agent.AgentRequests.ListZones;
import org.sdcdocker.protocol.agent.AgentRequests.ZoneList;

/** A node's list answers what the asking front end holds by id, and the rest in full. */
class ZoneListTest {
  private static ZoneRecord rec(String id, long version) {
    return Json.decode(
        "{\"cnUuid\":\"cn1\",\"spec\":{\"id\":\""
            + id
            + "\",\"name\":\"n"
            + id
            + "\"},"
            + "\"state\":{\"status\":\"created\"},\"version\":"
            + version
            + "}",
        ZoneRecord.class);
  }

  @Test
  void recordsHeldAtTheirVersion_areAnsweredById_theOthersInFull() {
    ListZones asked = new ListZones(Map.of("a", 3L, "b", 1L, "gone", 7L));
    ZoneList answer = ZoneList.answering(asked, List.of(rec("a", 3), rec("b", 2), rec("new", 0)));
    assertThat(answer.unchanged()).containsExactly("a");
    assertThat(answer.zones()).extracting(r -> r.spec().id()).containsExactly("b", "new");
  }

  @Test
  void aFirstList_sendsEveryRecord() {
    ZoneList answer = ZoneList.answering(new ListZones(), List.of(rec("a", 0), rec("b", 4)));
    assertThat(answer.unchanged()).isEmpty();
    assertThat(answer.zones()).hasSize(2);
  }

  @Test
  void bothSurviveTheWire_andAnOlderPeersMessagesStillRead() {
    ListZones asked = Json.decode(Json.bytes(new ListZones(Map.of("a", 3L))), ListZones.class);
    assertThat(asked.known()).containsExactly(Map.entry("a", 3L));
    ZoneList answer =
        Json.decode(Json.bytes(new ZoneList(List.of(rec("b", 1)), List.of("a"))), ZoneList.class);
    assertThat(answer.unchanged()).containsExactly("a");
    assertThat(answer.zones()).extracting(ZoneRecord::version).containsExactly(1L);
    // what a node or front end from before the versions were sent writes and reads
    assertThat(Json.decode("{}", ListZones.class).known()).isEmpty();
    assertThat(Json.decode("{\"zones\":[]}", ZoneList.class).unchanged()).isEmpty();
  }
}
