package org.sdcdocker.protocol.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.buffer.Buffer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProtocolCodecTest {
  private final ProtocolCodec codec = new ProtocolCodec();

  static ContainerSpec spec() {
    return new ContainerSpec("a".repeat(64), "web", "acct", "busybox", "sha256:" + "b".repeat(64),
        List.of(new LayerRef("sha256:" + "c".repeat(64), "application/vnd.oci.image.layer.v1.tar+gzip", 42)),
        List.of("/entry"), List.of("sh", "-c", "echo \"hi\"\n"), List.of("A=1"), "/w", "app", "host", "",
        Map.of("k", "v"), false, true, false, true, null, null, "2026-01-01T00:00:00Z", Map.of("AttachStdout", "true"));
  }

  @Test
  void wireRoundTrip_keepsEveryField() {
    ZoneRecord rec = new ZoneRecord("cn-1", spec(), ZoneState.created().started(7, "2026-01-01T00:00:01Z"));
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
    for (String name : List.of("java.lang.Runtime", "org.sdcdocker.protocol.Json",
        "org.sdcdocker.protocol.agent.AgentRequests", "org.sdcdocker.protocol.agent.NoSuchRecord", "")) {
      Buffer b = Buffer.buffer();
      byte[] type = name.getBytes();
      b.appendInt(type.length).appendBytes(type).appendInt(2).appendString("{}");
      assertThatThrownBy(() -> codec.decodeFromWire(0, b)).as(name).isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void everyRequestAndEventRecord_isInTheClosedSet() {
    for (Class<?> holder : List.of(AgentRequests.class, AgentEvents.class, ExecRecords.class, NetworkRecords.class,
        VolumeRecords.class)) {
      for (Class<?> c : holder.getDeclaredClasses()) {
        if (c.isRecord()) {
          Buffer b = Buffer.buffer();
          byte[] type = c.getName().getBytes();
          b.appendInt(type.length).appendBytes(type).appendInt(2).appendString("{}");
          assertThat(codec.decodeFromWire(0, b)).as(c.getName()).isInstanceOf(c);
        }
      }
    }
  }

  @Test
  void localTransform_passesTheSameRecord() {
    ZoneRecord rec = new ZoneRecord("cn", spec(), ZoneState.created());
    assertThat(codec.transform(rec)).isSameAs(rec);
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
