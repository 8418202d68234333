package org.sdcdocker.frontend.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sdcdocker.protocol.agent.FrontendEvents.DockerEvent;

class EventJournalTest {
  @TempDir Path dir;

  private static DockerEvent ev(String action, long t) {
    return new DockerEvent("acct", "container", action, "c1", Map.of("name", "web"), t);
  }

  /** Waits until the writer thread has written {@code n} lines (5 s at most). */
  private static void awaitLines(Path f, int n) throws Exception {
    for (int i = 0; i < 500; i++) {
      if (Files.exists(f) && Files.readAllLines(f).size() == n) {
        return;
      }
      Thread.sleep(10);
    }
    throw new AssertionError("the journal has not " + n + " lines");
  }

  @Test
  void events_comeBackAfterARestart_andALineCutShortIsSkipped() throws Exception {
    Path f = dir.resolve("events.jsonl");
    EventJournal j = EventJournal.open(f, new ArrayList<>());
    j.append(ev("create", 1));
    j.append(ev("start", 2));
    awaitLines(f, 2);
    Files.writeString(f, "{\"account\":\"acct\",\"ty", StandardOpenOption.APPEND);
    List<DockerEvent> back = new ArrayList<>();
    EventJournal.open(f, back);
    assertThat(back).containsExactly(ev("create", 1), ev("start", 2));
  }

  @Test
  void theFile_isCutToTheNewestTheLogKeeps_onceItHoldsTwiceThat() throws Exception {
    Path f = dir.resolve("events.jsonl");
    EventJournal j = EventJournal.open(f, new ArrayList<>());
    for (int i = 1; i <= 2 * EventLog.CAPACITY + 1; i++) {
      j.append(ev("start", i));
    }
    awaitLines(f, EventLog.CAPACITY);
    List<DockerEvent> back = new ArrayList<>();
    EventJournal.open(f, back);
    assertThat(back.get(0).timeNano()).isEqualTo(EventLog.CAPACITY + 2);
    assertThat(back.get(back.size() - 1).timeNano()).isEqualTo(2 * EventLog.CAPACITY + 1);
  }

  @Test
  void seeding_mergesEachEventOnce_inTimeOrder() {
    EventLog log = new EventLog();
    log.apply(ev("start", 5));
    log.seed(List.of(ev("create", 1), ev("start", 5), ev("die", 9)));
    assertThat(log.history(e -> true))
        .extracting(DockerEvent::timeNano)
        .containsExactly(1L, 5L, 9L);
  }
}
