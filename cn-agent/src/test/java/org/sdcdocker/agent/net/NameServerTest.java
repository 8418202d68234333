package org.sdcdocker.agent.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
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

  /**
   * Over UDP, on a loopback address of its own: the node's names at once, a fleet-wide network's
   * names of other nodes from the front ends (asked with the asking zone's address), and what
   * neither knows failed (no upstream here).
   */
  @Test
  void namesOfOtherNodes_areAskedOfTheFleet_andTheRestForwarded() throws Exception {
    List<String> asked = new CopyOnWriteArrayList<>();
    ExecutorService pool = Executors.newCachedThreadPool();
    try (NameServer ns =
            new NameServer(
                "127.0.0.77",
                (from, name) -> name.equals("web") ? "10.0.0.5" : null,
                (from, name) -> {
                  asked.add(from + " " + name);
                  return name.equals("far") ? "10.0.0.9" : null;
                },
                List.of(),
                pool);
        DatagramSocket client = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
      client.setSoTimeout(3000);
      assertThat(ask(client, "web")).containsExactly(10, 0, 0, 5);
      assertThat(ask(client, "far")).containsExactly(10, 0, 0, 9);
      assertThat(ask(client, "nowhere")).isEmpty();
      assertThat(asked).containsExactly("127.0.0.1 far", "127.0.0.1 nowhere");
    } finally {
      pool.shutdownNow();
    }
  }

  /** The address of the answer's A record (empty: none), from the server at 127.0.0.77. */
  private static byte[] ask(DatagramSocket client, String name) throws Exception {
    byte[] q = query(name, 1);
    client.send(new DatagramPacket(q, q.length, new InetSocketAddress("127.0.0.77", 53)));
    DatagramPacket r = new DatagramPacket(new byte[512], 512);
    client.receive(r);
    byte[] a = Arrays.copyOf(r.getData(), r.getLength());
    return a[7] == 0 ? new byte[0] : Arrays.copyOfRange(a, a.length - 4, a.length);
  }
}
