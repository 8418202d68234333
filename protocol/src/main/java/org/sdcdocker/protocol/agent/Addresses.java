package org.sdcdocker.protocol.agent;

/** Event-bus addresses between front ends and agents. */
public final class Addresses {
  public static final String HEARTBEAT = "cn.heartbeat";
  public static final String ZONE_EVENTS = "cn.zone-events";

  /**
   * In a fleet, where one front end (its cluster member id) takes the nodes' zone events, each
   * answered once its index holds it.
   */
  public static String zoneEventsOf(String frontEndMember) {
    return ZONE_EVENTS + "." + frontEndMember;
  }

  /**
   * Where a starting front end (its cluster member id) takes the heartbeats its {@link #HELLO}
   * asked for: sent to it alone, they reach it whether or not the agents' routes for {@link
   * #HEARTBEAT} have it yet.
   */
  public static String heartbeatsOf(String frontEndMember) {
    return HEARTBEAT + "." + frontEndMember;
  }

  /**
   * Broadcast by a front end that starts (its body: its cluster member id, or "hello" without a
   * cluster) or by an agent (its body: "hello"), so agents answer with a heartbeat at once: to a
   * front end's own {@link #heartbeatsOf}, else published.
   */
  public static final String HELLO = "frontend.hello";

  /**
   * Published by an agent that just joined a fleet, while it prepares (its node's UUID): each front
   * end asks {@link #nodeLink} of it once, so the event bus's links both ways (TLS handshakes in a
   * JVM just started) are made before the agent's first heartbeat and the front ends' list of its
   * zones, not on their way.
   */
  public static final String NODE_JOINING = "cn.joining";

  /**
   * Where a joining agent answers a front end's {@link #NODE_JOINING} question, and nothing else.
   */
  public static String nodeLink(String cnUuid) {
    return "cn." + cnUuid + ".link";
  }

  /** The Docker events a front end causes, published to every front end (itself too). */
  public static final String FRONTEND_EVENTS = "frontend.events";

  /** The image changes a front end makes, published to every front end (itself too). */
  public static final String FRONTEND_IMAGES = "frontend.images";

  /** The exec instances a front end makes, published to every front end (itself too). */
  public static final String FRONTEND_EXECS = "frontend.execs";

  /** Front ends' beats, and their word that they hold a copy of an image another added. */
  public static final String FRONTEND_IMAGE_COPIES = "frontend.images.copies";

  /** Where a starting front end asks a running one for its image records. */
  public static final String FRONTEND_IMAGE_STATE = "frontend.images.state";

  /** Where a starting front end asks a running one for the events it keeps. */
  public static final String FRONTEND_EVENT_HISTORY = "frontend.events.history";

  /**
   * With {@code .<member id>}: an account's new version an operator made through another front end,
   * which this one takes and answers (so the operator is answered once every front end has it).
   */
  public static final String FRONTEND_ACCOUNTS = "frontend.accounts";

  /** With {@code .<member id>}: a package's new version made through another front end. */
  public static final String FRONTEND_PACKAGES = "frontend.packages";

  /** An operator forgot a compute node (its UUID): every front end drops it and its containers. */
  public static final String FRONTEND_FORGET_NODE = "frontend.nodes.forget";

  /**
   * With {@code .<member id>}: a fleet-wide network's new version made through another front end.
   */
  public static final String FRONTEND_NETWORKS = "frontend.networks";

  /** Where agents ask the front ends what the fleet knows (FrontendRequests). */
  public static final String FRONTEND_LOOKUP = "frontend.lookup";

  private Addresses() {}

  /** The address of one verb of one compute node. */
  public static String cn(String cnUuid, String verb) {
    return "cn." + cnUuid + "." + verb;
  }
}
