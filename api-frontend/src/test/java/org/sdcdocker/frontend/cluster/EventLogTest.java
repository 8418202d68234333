package org.sdcdocker.frontend.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.sdcdocker.protocol.agent.FrontendEvents.DockerEvent;

class EventLogTest {
  @Test
  void newest_areTheLastOnesKept_newestFirst() {
    EventLog log = new EventLog();
    assertThat(log.newest(3)).isEmpty();
    for (int i = 1; i <= 5; i++) {
      log.add(new DockerEvent("a", "image", "pull", "x" + i, Map.of(), i));
    }
    assertThat(log.newest(3)).extracting(DockerEvent::actorId).containsExactly("x5", "x4", "x3");
    assertThat(log.newest(10)).hasSize(5);
  }
}
