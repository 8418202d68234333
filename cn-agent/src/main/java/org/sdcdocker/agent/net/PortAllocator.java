package org.sdcdocker.agent.net;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.sdcdocker.protocol.DockerException;
import org.sdcdocker.protocol.agent.NetStatus.BoundPort;
import org.sdcdocker.protocol.agent.NetworkSpec.PortSpec;

/**
 * The host ports the zones of this node publish: a port is given to one zone at a time, a port a
 * host process listens on is refused, and "any port" is drawn from Docker's range.
 */
final class PortAllocator {
  static final int FIRST_EPHEMERAL = 49153;
  static final int LAST_EPHEMERAL = 65535;

  private final Map<String, List<BoundPort>> byZone = new ConcurrentHashMap<>();
  private int next = FIRST_EPHEMERAL;

  /** Records what a re-adopted zone holds. */
  synchronized void adopt(String zoneId, List<BoundPort> ports) {
    if (!ports.isEmpty()) {
      byZone.put(zoneId, List.copyOf(ports));
    }
  }

  /** Binds every port of a zone or none; the messages are Docker's. */
  synchronized List<BoundPort> allocate(String zoneId, String endpoint, List<PortSpec> specs) {
    List<BoundPort> out = new ArrayList<>();
    for (PortSpec s : specs) {
      String hostIp = s.hostIp() == null || s.hostIp().isEmpty() ? "0.0.0.0" : s.hostIp();
      int port;
      if (s.hostPortStart() == 0) {
        port = any(hostIp, s.protocol(), out);
      } else {
        port = -1;
        String why = null;
        int end = Math.max(s.hostPortEnd(), s.hostPortStart());
        for (int p = s.hostPortStart(); p <= end && port < 0; p++) {
          why = problem(hostIp, p, s.protocol(), out);
          if (why == null) {
            port = p;
          }
        }
        if (port < 0) {
          throw DockerException.internal(
              "driver failed programming external connectivity on endpoint %s: %s", endpoint, why);
        }
      }
      out.add(new BoundPort(s.containerPort(), s.protocol(), hostIp, port));
    }
    byZone.put(zoneId, List.copyOf(out));
    return out;
  }

  synchronized void release(String zoneId) {
    byZone.remove(zoneId);
  }

  private int any(String hostIp, String proto, List<BoundPort> mine) {
    int span = LAST_EPHEMERAL - FIRST_EPHEMERAL + 1;
    for (int i = 0; i < span; i++) {
      int p = next;
      next = next == LAST_EPHEMERAL ? FIRST_EPHEMERAL : next + 1;
      if (problem(hostIp, p, proto, mine) == null) {
        return p;
      }
    }
    throw DockerException.unavailable(
        "no free host port for %s in %d-%d", proto, FIRST_EPHEMERAL, LAST_EPHEMERAL);
  }

  /** Why a host port cannot be had, or null. */
  private String problem(String hostIp, int port, String proto, List<BoundPort> mine) {
    List<BoundPort> taken = new ArrayList<>(mine);
    byZone.values().forEach(taken::addAll);
    for (BoundPort b : taken) {
      if (b.hostPort() == port
          && b.protocol().equals(proto)
          && (b.hostIp().equals(hostIp)
              || b.hostIp().equals("0.0.0.0")
              || hostIp.equals("0.0.0.0"))) {
        return "Bind for " + hostIp + ":" + port + " failed: port is already allocated";
      }
    }
    try {
      if (proto.equals("udp")) {
        new DatagramSocket(new InetSocketAddress(hostIp, port)).close();
      } else {
        try (ServerSocket s = new ServerSocket()) {
          s.bind(new InetSocketAddress(hostIp, port));
        }
      }
      return null;
    } catch (IOException e) {
      return "Error starting userland proxy: listen "
          + proto
          + "4 "
          + hostIp
          + ":"
          + port
          + ": bind: address already in use";
    }
  }
}
