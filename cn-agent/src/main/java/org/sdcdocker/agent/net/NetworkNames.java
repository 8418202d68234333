package org.sdcdocker.agent.net;

import java.util.Map;
import java.util.function.Function;
import org.sdcdocker.protocol.ContainerId;
import org.sdcdocker.protocol.agent.NetworkRecords.Member;
import org.sdcdocker.protocol.agent.NetworkSpec;
import org.sdcdocker.protocol.agent.ZoneRecord;

/**
 * The names a user-defined network's resolver answers: a zone's name, an alias of its endpoint, its
 * short id, and the asking zone's own link aliases.
 */
final class NetworkNames {
  private final Map<String, Map<String, Member>> members;
  private final Function<String, ZoneRecord> zones;

  /** {@code members}: per network id, the attached zones of this node (kept by ZoneNetwork). */
  NetworkNames(Map<String, Map<String, Member>> members, Function<String, ZoneRecord> zones) {
    this.members = members;
    this.zones = zones;
  }

  /**
   * A name as the zone at {@code fromIp} sees it: its own links' aliases first, then the network's
   * names.
   */
  String lookup(String networkId, String fromIp, String name) {
    for (Member m : members.getOrDefault(networkId, Map.of()).values()) {
      ZoneRecord asking = m.ip().equals(fromIp) ? zones.apply(m.zoneId()) : null;
      if (asking == null) {
        continue;
      }
      for (NetworkSpec.Endpoint e : asking.spec().network().endpoints()) {
        if (!networkId.equals(e.networkId())) {
          continue;
        }
        for (String link : e.links()) { // "container:alias", or a container known by its own name
          int colon = link.lastIndexOf(':');
          String target = colon < 0 ? link : link.substring(0, colon);
          String alias = colon < 0 ? link : link.substring(colon + 1);
          if (alias.equalsIgnoreCase(name)) {
            return lookup(networkId, target.startsWith("/") ? target.substring(1) : target);
          }
        }
      }
    }
    return lookup(networkId, name);
  }

  /** The zone of this node at {@code ip} on a network, or null. */
  String zoneAt(String networkId, String ip) {
    for (Member m : members.getOrDefault(networkId, Map.of()).values()) {
      if (m.ip().equals(ip)) {
        return m.zoneId();
      }
    }
    return null;
  }

  private String lookup(String networkId, String name) {
    for (Member m : members.getOrDefault(networkId, Map.of()).values()) {
      ZoneRecord r = zones.apply(m.zoneId());
      if (r == null) {
        continue;
      }
      boolean alias =
          r.spec().network().endpoints().stream()
              .anyMatch(
                  e ->
                      networkId.equals(e.networkId())
                          && e.aliases().stream().anyMatch(name::equalsIgnoreCase));
      if (name.equalsIgnoreCase(r.spec().name())
          || alias
          || name.equals(ContainerId.shortOf(m.zoneId()))) {
        return m.ip();
      }
    }
    return null;
  }
}
