package org.sdcdocker.bus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.buffer.Buffer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.sdcdocker.protocol.agent.AgentEvents;
import org.sdcdocker.protocol.agent.AgentRequest;
import org.sdcdocker.protocol.agent.AgentRequests;
import org.sdcdocker.protocol.agent.ContainerSpec;
import org.sdcdocker.protocol.agent.LayerRef;
import org.sdcdocker.protocol.agent.Verb;
import org.sdcdocker.protocol.agent.Verbs;
import org.sdcdocker.protocol.agent.ZoneRecord;
import org.sdcdocker.protocol.agent.ZoneState;

class ProtocolCodecTest {
  private final ProtocolCodec codec = new ProtocolCodec();

  static ContainerSpec spec() {
    return new ContainerSpec(
        "a".repeat(64),
        "web",
        "acct",
        "busybox",
        "sha256:" + "b".repeat(64),
        List.of(
            new LayerRef(
                "sha256:" + "c".repeat(64), "application/vnd.oci.image.layer.v1.tar+gzip", 42)),
        List.of("/entry"),
        List.of("sh", "-c", "echo \"hi\"\n"),
        List.of("A=1"),
        "/w",
        "app",
        "host",
        "",
        Map.of("k", "v"),
        false,
        true,
        false,
        true,
        null,
        null,
        "2026-01-01T00:00:00Z",
        List.of(),
        null);
  }

  @Test
  void wireRoundTrip_keepsEveryField() {
    ZoneRecord rec =
        new ZoneRecord("cn-1", spec(), ZoneState.created().started(7, "2026-01-01T00:00:01Z"));
    Buffer b = Buffer.buffer();
    codec.encodeToWire(b, rec);
    assertThat(codec.decodeFromWire(0, b)).isEqualTo(rec);
  }

  @Test
  void wireRoundTrip_ofRequestsWithNestedRecords() {
    AgentRequests.CreateZone req = new AgentRequests.CreateZone(spec(), "http://127.0.0.1:1");
    Buffer b = Buffer.buffer().appendString("prefix");
    codec.encodeToWire(b, req);
    assertThat(codec.decodeFromWire(6, b)).isEqualTo(req);
  }

  @Test
  void decode_refusesEveryNameOutsideTheClosedSet() {
    for (String name :
        List.of(
            "java.lang.Runtime",
            "org.sdcdocker.protocol.Json",
            "org.sdcdocker.protocol.agent.AgentRequests",
            "org.sdcdocker.protocol.agent.NoSuchRecord",
            "")) {
      Buffer b = Buffer.buffer();
      byte[] type = name.getBytes();
      b.appendInt(type.length).appendBytes(type).appendInt(2).appendString("{}");
      assertThatThrownBy(() -> codec.decodeFromWire(0, b))
          .as(name)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void everyRequest_hasOneVerb_whoseRequestAndReplyAreInTheClosedSet() {
    Class<?>[] requests = AgentRequest.class.getPermittedSubclasses();
    assertThat(Verbs.ALL).hasSameSizeAs(requests);
    assertThat(Verbs.ALL.stream().map(Verb::name).distinct()).hasSameSizeAs(requests);
    assertThat(Verbs.ALL.stream().<Class<?>>map(Verb::request).toList())
        .containsExactlyInAnyOrder(requests);
    for (Verb<?, ?> v : Verbs.ALL) {
      for (Class<?> c : List.of(v.request(), v.reply())) {
        Buffer b = Buffer.buffer();
        byte[] type = c.getName().getBytes();
        b.appendInt(type.length).appendBytes(type).appendInt(2).appendString("{}");
        assertThat(codec.decodeFromWire(0, b)).as(c.getName()).isInstanceOf(c);
      }
    }
    for (Class<?> c : AgentEvents.class.getDeclaredClasses()) {
      assertThat(ProtocolCodec.names()).contains(c.getName());
    }
  }

  @Test
  void aRequestNamesItsVerb_andItsFieldsAreAllThatTravel() {
    AgentRequests.StartZone start = new AgentRequests.StartZone("abc");
    assertThat(start.verb()).isSameAs(Verbs.START);
    assertThat(start.verb().address("cn-1")).isEqualTo("cn.cn-1.verbs");
    Buffer b = Buffer.buffer();
    codec.encodeToWire(b, start);
    assertThat(b.toString()).endsWith("{\"id\":\"abc\"}");
  }

  @Test
  void encode_refusesRecordsOutsideTheClosedSet() {
    record Foreign(String x) {}
    assertThatThrownBy(() -> codec.encodeToWire(Buffer.buffer(), new Foreign("x")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a protocol record");
    assertThatThrownBy(() -> codec.encodeToWire(Buffer.buffer(), spec()))
        .as("a record nested in messages is not a message")
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void zoneState_runsThroughItsLifecycle() {
    ZoneState s = ZoneState.created().started(10, "t1");
    assertThat(s.running()).isTrue();
    assertThat(s.generation()).isEqualTo(1);
    ZoneState e = s.exited(137, "t2");
    assertThat(e.running()).isFalse();
    assertThat(e.exitCode()).isEqualTo(137);
    assertThat(e.startedAt()).isEqualTo("t1");
    assertThat(e.generation()).isEqualTo(1);
  }
}
