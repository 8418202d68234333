package org.sdcdocker.bus.log;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sdcdocker.protocol.Json;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/** Every logger's lines, ours and the libraries', are JSON lines with the fields of ours. */
class JsonLogsTest {
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private PrintStream saved;

  @BeforeEach
  void capture() {
    saved = System.err;
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @AfterEach
  void restore() {
    System.setErr(saved);
  }

  /** The lines written so far that contain {@code mark}, waiting (2 s at most) for {@code n}. */
  private List<JsonNode> lines(String mark, int n) throws Exception {
    List<JsonNode> out = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      out.clear();
      for (String l : err.toString(StandardCharsets.UTF_8).split("\n")) {
        if (l.contains(mark)) {
          out.add(Json.MAPPER.readTree(l));
        }
      }
      if (out.size() >= n) {
        return out;
      }
      Thread.sleep(10);
    }
    return out;
  }

  @Test
  void oursFromInfo_librariesFromWarn_asJsonLines() throws Exception {
    LoggerFactory.getLogger("org.sdcdocker.x.Thing").info("ours {} of {}", 1, "mark-a");
    LoggerFactory.getLogger("com.hazelcast.Whatever").info("chatty mark-a");
    LoggerFactory.getLogger("com.hazelcast.Whatever").warn("library mark-a \"quoted\"");
    List<JsonNode> got = lines("mark-a", 2);
    assertThat(got).hasSize(2);
    assertThat(got.get(0).get("level").asText()).isEqualTo("info");
    assertThat(got.get(0).get("logger").asText()).isEqualTo("org.sdcdocker.x.Thing");
    assertThat(got.get(0).get("message").asText()).isEqualTo("ours 1 of mark-a");
    assertThat(got.get(0).has("time")).isTrue();
    assertThat(got.get(0).has("component")).isTrue();
    assertThat(got.get(1).get("level").asText()).isEqualTo("warn");
    assertThat(got.get(1).get("message").asText()).isEqualTo("library mark-a \"quoted\"");
  }

  @Test
  void aFailureCarriesItsTrace_andTheRequestFromTheMdc() throws Exception {
    MDC.put("request", "req-42");
    try {
      LoggerFactory.getLogger("org.sdcdocker.y")
          .error("failed mark-b {}", "here", new IllegalStateException("boom"));
    } finally {
      MDC.remove("request");
    }
    JsonNode l = lines("mark-b", 1).get(0);
    assertThat(l.get("level").asText()).isEqualTo("error");
    assertThat(l.get("message").asText()).isEqualTo("failed mark-b here");
    assertThat(l.get("request").asText()).isEqualTo("req-42");
    assertThat(l.get("error").asText()).contains("IllegalStateException: boom", "at org.sdcdocker");
  }
}
