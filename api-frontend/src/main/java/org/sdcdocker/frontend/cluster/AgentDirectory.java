package org.sdcdocker.frontend.cluster;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.sdcdocker.bus.AgentBus;
import org.sdcdocker.frontend.metrics.FrontendMetrics;
import org.sdcdocker.protocol.DockerException;
import org.sdcdocker.protocol.agent.AgentEvents.Heartbeat;
import org.sdcdocker.protocol.agent.AgentRequest;

/**
 * The compute nodes the front end has heard from, by heartbeat, and the one way to ask one of them
 * something. A node is live while its heartbeat (every 2 s) came within 7 s and its agent has not
 * left the cluster; a request to a node that is not live is refused at once (503, naming the node),
 * and requests waiting on a node that stops being live fail then, not at their timeout.
 */
public final class AgentDirectory {
  /** A node not heard from for this long is not live (agents beat every 2 s). */
  private static final long STALE_NANOS = 7_000_000_000L;

  private final Vertx vertx;
  private final Map<String, Seen> agents = new ConcurrentHashMap<>();

  /** The requests waiting on each node, to fail when it goes. */
  private final Map<String, Set<Waiting>> waiting = new ConcurrentHashMap<>();

  /** A heartbeat, when it came, and whether the node's agent left the cluster since. */
  public record Seen(Heartbeat heartbeat, long atNanos, boolean left) {}

  private record Waiting(String verb, Promise<?> promise) {}

  public AgentDirectory(Vertx vertx) {
    this.vertx = vertx;
    vertx.setPeriodic(1000, t -> failWaitingOnLostNodes());
  }

  /**
   * Records a heartbeat; true when the node's zones should be listed: it was not known before, its
   * agent restarted (another incarnation), or it had not been heard from for long or had left (it
   * may have missed events meanwhile).
   */
  public boolean heard(Heartbeat hb) {
    long now = System.nanoTime();
    Seen before = agents.put(hb.cnUuid(), new Seen(hb, now, false));
    return before == null
        || !hb.incarnation().equals(before.heartbeat().incarnation())
        || !live(before, now);
  }

  /**
   * The cluster says a run of the node's agent left: unless a later run beats already, the node is
   * not live from now on, until it beats again.
   */
  public void left(String cnUuid, String incarnation) {
    Seen s =
        agents.computeIfPresent(
            cnUuid,
            (cn, seen) ->
                seen.heartbeat().incarnation().equals(incarnation)
                    ? new Seen(seen.heartbeat(), seen.atNanos(), true)
                    : seen);
    if (s != null && s.left()) {
      failWaiting(cnUuid);
    }
  }

  /**
   * Drops a node an operator forgot: it is no longer listed, and what waited on it fails. Should
   * its agent beat again, it is a new node to this directory (and its containers are listed).
   */
  public void forget(String cnUuid) {
    agents.remove(cnUuid);
    failWaiting(cnUuid);
  }

  /** The nodes that are live. */
  public Collection<Heartbeat> live() {
    long now = System.nanoTime();
    return agents.values().stream().filter(s -> live(s, now)).map(Seen::heartbeat).toList();
  }

  /** Every node heard from, live or not. */
  public List<Seen> known() {
    return List.copyOf(agents.values());
  }

  /** A node's last heartbeat, or null when never heard from. */
  public Heartbeat last(String cnUuid) {
    Seen s = agents.get(cnUuid);
    return s == null ? null : s.heartbeat();
  }

  /** Whether a node is live. */
  public boolean isLive(String cnUuid) {
    Seen s = agents.get(cnUuid);
    return s != null && live(s, System.nanoTime());
  }

  private static boolean live(Seen s, long now) {
    return !s.left() && now - s.atNanos() < STALE_NANOS;
  }

  /**
   * Sends a request to one node; its failure arrives as a DockerException of the agent's kind. A
   * node heard from before that is not live now is not asked.
   */
  public <R extends Record> Future<R> request(String cnUuid, AgentRequest<R> req, long timeoutMs) {
    Seen s = agents.get(cnUuid);
    if (s != null && !live(s, System.nanoTime())) {
      return Future.failedFuture(notResponding(cnUuid, s));
    }
    long started = System.nanoTime();
    return whileLive(cnUuid, req.verb().name(), AgentBus.request(vertx, cnUuid, req, timeoutMs))
        .onComplete(
            ar ->
                FrontendMetrics.agentRequest(
                    req.verb().name(), cnUuid, ar.succeeded(), System.nanoTime() - started));
  }

  /**
   * What a node is to do ({@code work}, named {@code verb} in the error), or, when the node stops
   * being live first, a 503 that says so then.
   */
  public <T> Future<T> whileLive(String cnUuid, String verb, Future<T> work) {
    Promise<T> promise = Promise.promise();
    Waiting w = new Waiting(verb, promise);
    Set<Waiting> set = waiting.computeIfAbsent(cnUuid, cn -> ConcurrentHashMap.newKeySet());
    set.add(w);
    work.onComplete(
        ar -> {
          set.remove(w);
          if (ar.succeeded()) {
            promise.tryComplete(ar.result());
          } else {
            promise.tryFail(ar.cause());
          }
        });
    return promise.future();
  }

  private void failWaitingOnLostNodes() {
    long now = System.nanoTime();
    agents.forEach(
        (cn, s) -> {
          if (!live(s, now)) {
            failWaiting(cn);
          }
        });
  }

  private void failWaiting(String cnUuid) {
    Set<Waiting> set = waiting.get(cnUuid);
    if (set == null || set.isEmpty()) {
      return;
    }
    for (Waiting w : List.copyOf(set)) {
      set.remove(w);
      w.promise()
          .tryFail(
              DockerException.unavailable(
                  "compute node %s stopped responding during %s; whether it happened will be "
                      + "known when the node returns",
                  cnUuid, w.verb()));
    }
  }

  private static DockerException notResponding(String cnUuid, Seen s) {
    long ago = (System.nanoTime() - s.atNanos()) / 1_000_000_000L;
    return DockerException.unavailable(
        "compute node %s is not responding (last heard %d seconds ago)", cnUuid, ago);
  }
}
