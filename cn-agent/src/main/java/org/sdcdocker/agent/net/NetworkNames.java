package org.sdcdocker.agent.net;

import java.util.Map;
import java.util.function.Function;
import org.sdcdocker.protocol.agent.NetworkRecords;
import org.sdcdocker.protocol.agent.NetworkRecords.Member;
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
    String asking = zoneAt(networkId, fromIp);
    ZoneRecord r = asking == null ? null : zones.apply(asking);
    return lookup(
        networkId, r == null ? name : NetworkRecords.linkTarget(r.spec(), networkId, name));
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
      if (r != null && NetworkRecords.answersTo(r.spec(), networkId, name)) {
        return m.ip();
      }
    }
    return null;
  }
}
