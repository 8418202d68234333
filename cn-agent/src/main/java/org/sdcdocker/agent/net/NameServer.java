package org.sdcdocker.agent.net;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The resolver of one user-defined network, on its gateway's port 53 (Docker's 127.0.0.11 does the
 * same job): names and aliases of the network's containers answer with their addresses; other names
 * go to the host's resolvers, except on an internal network.
 */
final class NameServer implements AutoCloseable {
  private static final int TTL = 600;

  private final DatagramSocket socket;
  private final BiFunction<String, String, String> lookup;
  private final BiFunction<String, String, String> remote;
  private final List<InetSocketAddress> upstreams;
  private final ExecutorService forwards;

  NameServer(
      String ip,
      BiFunction<String, String, String> lookup,
      BiFunction<String, String, String> remote,
      List<InetSocketAddress> upstreams,
      ExecutorService forwards)
      throws IOException {
    this.socket = new DatagramSocket(new InetSocketAddress(ip, 53));
    this.lookup = lookup;
    this.remote = remote;
    this.upstreams = upstreams;
    this.forwards = forwards;
    Thread t = new Thread(this::serve, "dns-" + ip);
    t.setDaemon(true);
    t.start();
  }

  private void serve() {
    byte[] buf = new byte[1500];
    while (!socket.isClosed()) {
      DatagramPacket p = new DatagramPacket(buf, buf.length);
      try {
        socket.receive(p);
        byte[] q = Arrays.copyOf(p.getData(), p.getLength());
        String from = p.getAddress().getHostAddress(); // a zone's links are its own names
        byte[] answer = answer(q, name -> lookup.apply(from, name));
        if (answer != null) {
          reply(answer, p);
        } else {
          InetSocketAddress to = (InetSocketAddress) p.getSocketAddress();
          forwards.execute(() -> elsewhere(q, from, to));
        }
      } catch (IOException | RuntimeException e) {
        // a malformed query or a closed socket: the next one, or the end
      }
    }
  }

  private void reply(byte[] answer, DatagramPacket to) throws IOException {
    socket.send(new DatagramPacket(answer, answer.length, to.getSocketAddress()));
  }

  /**
   * A name this node does not know: the fleet's (a fleet-wide network's zone on another node), or
   * else the host's resolvers'.
   */
  private void elsewhere(byte[] query, String from, InetSocketAddress client) {
    if (remote != null) {
      byte[] answer = null;
      try {
        answer = answer(query, name -> remote.apply(from, name));
      } catch (RuntimeException e) {
        // the front ends did not answer: the host's resolvers then
      }
      if (answer != null) {
        try {
          socket.send(new DatagramPacket(answer, answer.length, client));
        } catch (IOException e) {
          // the client asks again
        }
        return;
      }
    }
    forward(query, client);
  }

  private void forward(byte[] query, InetSocketAddress client) {
    byte[] out = null;
    for (InetSocketAddress up : upstreams) {
      try (DatagramSocket s = new DatagramSocket()) {
        s.setSoTimeout(2000);
        s.send(new DatagramPacket(query, query.length, up));
        DatagramPacket r = new DatagramPacket(new byte[4096], 4096);
        s.receive(r);
        out = Arrays.copyOf(r.getData(), r.getLength());
        break;
      } catch (SocketTimeoutException e) {
        // the next upstream
      } catch (IOException e) {
        // the next upstream
      }
    }
    if (out == null) {
      out = response(query, questionEnd(query), 2, null);
    }
    try {
      socket.send(new DatagramPacket(out, out.length, client));
    } catch (IOException e) {
      // the client asks again
    }
  }

  /** The answer to a query about a name we know, or null to forward it. */
  static byte[] answer(byte[] q, Function<String, String> lookup) {
    if (q.length < 12 || (q[2] & 0x80) != 0 || ((q[4] << 8) | (q[5] & 255)) != 1) {
      return null;
    }
    int end = questionEnd(q);
    StringBuilder name = new StringBuilder();
    for (int i = 12; q[i] != 0; i += (q[i] & 255) + 1) {
      if (name.length() > 0) {
        name.append('.');
      }
      name.append(new String(q, i + 1, q[i] & 255, StandardCharsets.US_ASCII));
    }
    String n = name.toString().toLowerCase(Locale.ROOT);
    String ip = lookup.apply(n.endsWith(".") ? n.substring(0, n.length() - 1) : n);
    if (ip == null) {
      return null;
    }
    int qtype = ((q[end - 4] & 255) << 8) | (q[end - 3] & 255);
    return response(q, end, 0, qtype == 1 || qtype == 255 ? ip : null);
  }

  /** Where the (single) question ends: after its name, type and class. */
  static int questionEnd(byte[] q) {
    int i = 12;
    while (q[i] != 0) {
      i += (q[i] & 255) + 1;
    }
    return i + 5;
  }

  /** A response with the query's question, the code, and an A record when {@code ip} is given. */
  static byte[] response(byte[] q, int questionEnd, int rcode, String ip) {
    ByteBuffer b = ByteBuffer.allocate(questionEnd + 16);
    b.put(q, 0, 2);
    b.put((byte) (0x80 | (q[2] & 0x01))); // a response, RD echoed
    b.put((byte) (0x80 | rcode)); // recursion available
    b.putShort((short) 1)
        .putShort((short) (ip == null ? 0 : 1))
        .putShort((short) 0)
        .putShort((short) 0);
    b.put(q, 12, questionEnd - 12);
    if (ip != null) {
      b.putShort((short) 0xC00C)
          .putShort((short) 1)
          .putShort((short) 1)
          .putInt(TTL)
          .putShort((short) 4);
      try {
        b.put(InetAddress.getByName(ip).getAddress());
      } catch (IOException e) {
        throw new IllegalArgumentException(ip, e);
      }
    }
    return Arrays.copyOf(b.array(), b.position());
  }

  @Override
  public void close() {
    socket.close();
  }
}
