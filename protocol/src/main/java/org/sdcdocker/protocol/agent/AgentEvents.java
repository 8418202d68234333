package org.sdcdocker.protocol.agent;

import java.util.List;
import java.util.Map;

/** What agents publish: heartbeats and zone state changes. */
public final class AgentEvents {
  private AgentEvents() {}

  /**
   * Published on {@link Addresses#HEARTBEAT} every few seconds and at start; {@code reserved}: the
   * operator took the node out of placement; {@code fabricAddress}: this node's end of the fleet's
   * tunnels (its underlay address; null in the embedded default), {@code fabrics}: the VNIs of the
   * fleet-wide networks it carries now (other agents send them their flooded frames).
   */
  public record Heartbeat(
      String cnUuid,
      String hostname,
      String backend,
      int zones,
      int running,
      int cpus,
      long memoryBytes,
      String kernel,
      String operatingSystem,
      String incarnation,
      boolean reserved,
      String fabricAddress,
      List<Integer> fabrics) {
    public Heartbeat {
      fabrics = fabrics == null ? List.of() : List.copyOf(fabrics);
    }
  }

  /** Published on {@link Addresses#ZONE_EVENTS}: create, start, die, destroy. */
  public record ZoneEvent(
      String action, ZoneRecord zone, long timeNano, Map<String, String> attributes) {
    public ZoneEvent {
      attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
    }

    public ZoneEvent(String action, ZoneRecord zone, long timeNano) {
      this(action, zone, timeNano, null);
    }
  }
}
