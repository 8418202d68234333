package org.sdcdocker.agent.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NameServerTest {
  /** A query as a resolver sends it: id, RD, one question. */
  static byte[] query(String name, int type) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.writeBytes(new byte[] {0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0});
    for (String label : name.split("\\.")) {
      b.write(label.length());
      b.writeBytes(label.getBytes());
    }
    b.writeBytes(new byte[] {0, 0, (byte) type, 0, 1});
    return b.toByteArray();
  }

  @Test
  void answersKnownNamesWithAnARecord() {
    byte[] a = NameServer.answer(query("Web.", 1), Map.of("web", "10.0.0.5")::get);
    assertThat(a).isNotNull();
    assertThat(a[0]).isEqualTo((byte) 0x12);
    assertThat(a[3] & 0x0f).isZero();
    assertThat(a[7]).isEqualTo((byte) 1); // one answer
    assertThat(Arrays.copyOfRange(a, a.length - 4, a.length)).containsExactly(10, 0, 0, 5);
  }

  @Test
  void otherTypesOfKnownNamesGetNoRecords_unknownNamesAreForwarded() {
    byte[] aaaa = NameServer.answer(query("web", 28), Map.of("web", "10.0.0.5")::get);
    assertThat(aaaa[7]).isZero();
    assertThat(aaaa[3] & 0x0f).isZero();
    assertThat(NameServer.answer(query("elsewhere.example", 1), Map.of("web", "10.0.0.5")::get))
        .isNull();
    byte[] fail =
        NameServer.response(query("x", 1), NameServer.questionEnd(query("x", 1)), 2, null);
    assertThat(fail[3] & 0x0f).isEqualTo(2);
  }
}
