package org.sdcdocker.frontend.cluster;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.sdcdocker.bus.AgentBus;
import org.sdcdocker.protocol.agent.AgentEvents.Heartbeat;
import org.sdcdocker.protocol.agent.AgentRequest;

/**
 * The compute nodes the front end has heard from, by heartbeat, and the one way to ask one of them
 * something. Placement picks the live node with the fewest zones.
 */
public final class AgentDirectory {
  private static final long STALE_NANOS = 30_000_000_000L;

  private final Vertx vertx;
  private final Map<String, Seen> agents = new ConcurrentHashMap<>();

  /** A heartbeat and when it came. */
  public record Seen(Heartbeat heartbeat, long atNanos) {}

  public AgentDirectory(Vertx vertx) {
    this.vertx = vertx;
  }

  /** Records a heartbeat; true when the node was not known before. */
  public boolean heard(Heartbeat hb) {
    return agents.put(hb.cnUuid(), new Seen(hb, System.nanoTime())) == null;
  }

  /** The nodes heard from within the last 30 seconds. */
  public Collection<Heartbeat> live() {
    long now = System.nanoTime();
    return agents.values().stream()
        .filter(s -> now - s.atNanos() < STALE_NANOS)
        .map(Seen::heartbeat)
        .toList();
  }

  /** Sends a request to one node; its failure arrives as a DockerException of the agent's kind. */
  public <R extends Record> Future<R> request(String cnUuid, AgentRequest<R> req, long timeoutMs) {
    return AgentBus.request(vertx, cnUuid, req, timeoutMs);
  }
}
