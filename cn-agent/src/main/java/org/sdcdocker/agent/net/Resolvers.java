package org.sdcdocker.agent.net;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.sdcdocker.bus.Daemons;
import org.sdcdocker.protocol.agent.NetworkRecords.Network;

/** The name servers of the user-defined networks that have zones on this node, one per network. */
final class Resolvers implements AutoCloseable {
  private final Lookup lookup;
  private final Lookup remote;

  /** A name on a network, as the zone at {@code fromIp} asks it: an address, or null. */
  interface Lookup {
    String apply(String networkId, String fromIp, String name);
  }

  private final Map<String, NameServer> servers = new ConcurrentHashMap<>();
  private final ExecutorService forwards =
      Executors.newCachedThreadPool(Daemons.named("dns-forward"));

  /**
   * @param lookup the names of this node's zones
   * @param remote the names of a fleet-wide network's zones on other nodes (may block)
   */
  Resolvers(Lookup lookup, Lookup remote) {
    this.lookup = lookup;
    this.remote = remote;
  }

  /**
   * Serves a network's names at its gateway, unless it is served already; a fleet-wide network's
   * names of other nodes are asked of the front ends.
   */
  synchronized void serve(Network n, String gateway) {
    if (servers.containsKey(n.id()) || gateway == null || gateway.isEmpty()) {
      return;
    }
    try {
      servers.put(
          n.id(),
          new NameServer(
              gateway,
              (from, name) -> lookup.apply(n.id(), from, name),
              n.spansFleet() ? (from, name) -> remote.apply(n.id(), from, name) : null,
              n.internal() ? List.of() : upstreams(),
              forwards));
    } catch (IOException e) {
      // without it, names do not resolve on this network; addresses still work
    }
  }

  synchronized void stop(String networkId) {
    NameServer s = servers.remove(networkId);
    if (s != null) {
      s.close();
    }
  }

  /** The host's own resolvers, where names no zone has are asked. */
  private static List<InetSocketAddress> upstreams() {
    List<InetSocketAddress> out = new ArrayList<>();
    try {
      for (String line : Files.readAllLines(Path.of("/etc/resolv.conf"))) {
        String[] f = line.trim().split("\\s+");
        if (f.length > 1 && f[0].equals("nameserver")) {
          out.add(new InetSocketAddress(f[1], 53));
        }
      }
    } catch (IOException e) {
      // no upstream: unknown names fail
    }
    return out;
  }

  @Override
  public synchronized void close() {
    servers.values().forEach(NameServer::close);
    servers.clear();
    forwards.shutdownNow();
  }
}
