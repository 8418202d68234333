package org.sdcdocker.protocol.agent;

/** Event-bus addresses between front ends and agents. */
public final class Addresses {
  public static final String HEARTBEAT = "cn.heartbeat";
  public static final String ZONE_EVENTS = "cn.zone-events";

  /** Broadcast by a front end that starts, so agents answer with a heartbeat at once. */
  public static final String HELLO = "frontend.hello";

  private Addresses() {}

  /** The address of one verb of one compute node. */
  public static String cn(String cnUuid, String verb) {
    return "cn." + cnUuid + "." + verb;
  }
}
