package org.sdcdocker.protocol.agent;

/**
 * What an agent asks the front ends (on {@link Addresses#FRONTEND_LOOKUP}, any one answers): what
 * the fleet knows and one node does not, the members of a fleet-wide network on other nodes.
 */
public final class FrontendRequests {
  private FrontendRequests() {}

  /**
   * The address of a name (a container's name, an alias of its endpoint, its short id) on a
   * fleet-wide network, as the container {@code askingZoneId} asks it.
   */
  public record LookupName(String networkId, String askingZoneId, String name) {}

  /** A container's record as the front ends know it: a link's target on another node. */
  public record LookupZone(String owner, String zoneId) {}

  /** The answer to LookupName: the address, or null for none. */
  public record FoundName(String ip) {}

  /** The answer to LookupZone: the record, or null for none. */
  public record FoundZone(ZoneRecord zone) {}
}
