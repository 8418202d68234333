package org.sdcdocker.agent.net;

import org.sdcdocker.protocol.agent.ZoneRecord;

/**
 * What a node asks the fleet's front ends about the other nodes: the members of a fleet-wide
 * network there, a link's target there. Blocking; never called on an event loop.
 */
public interface FleetLookups {
  /** The address of {@code name} on a fleet-wide network as zone {@code askingZoneId} asks it. */
  String name(String networkId, String askingZoneId, String name);

  /** The record of the account's zone {@code zoneId} on another node, or null. */
  ZoneRecord zone(String owner, String zoneId);
}
