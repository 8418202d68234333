package org.sdcdocker.agent.server;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.spi.cluster.ClusterManager;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.sdcdocker.bus.Members;
import org.sdcdocker.protocol.agent.Addresses;
import org.sdcdocker.protocol.agent.AgentEvents.ZoneEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How this node's zone events reach the front ends. In the embedded default they are published on
 * the one JVM's bus. In a fleet each goes to every front end at that front end's own address
 * ({@link Addresses#zoneEventsOf}), which answers once its index holds it, and {@link #settled}
 * tells when the events made so far are taken: a node answers a request only then, so a container
 * made, started or removed through one front end is seen so through every other one as soon as the
 * first answered its client.
 *
 * <p>Why not a publish: a clustered publish goes to the members this node's bus knows subscribe,
 * and it learns of a new subscriber a moment after that front end registered (Hazelcast's entry
 * listener); a front end that just started could miss a create. A send to a front end's own address
 * looks that address up until it is there, and the front end registers it before it lists the
 * nodes' zones, so what happened before is in its list and what happens after reaches it.
 *
 * <p>A front end that does not answer within {@value #ACK_MS} ms (paused, or its link broken) is
 * not waited for again until it answers one; it still gets every event. One that left, or has not
 * registered yet, is not waited for.
 */
final class ZoneEventDelivery {
  /** How long an answer waits for a front end to take its events. */
  static final long ACK_MS = 2000;

  private static final Logger LOG = LoggerFactory.getLogger(ZoneEventDelivery.class);

  private final Vertx vertx;

  /** Each member's role, in a fleet. */
  private final Members.Roles roles;

  /**
   * The front ends that let an event wait past {@link #ACK_MS}: not waited for until they answer.
   */
  private final Set<String> late = ConcurrentHashMap.newKeySet();

  /** The deliveries not answered yet that an answer waits for. */
  private final Set<Future<?>> pending = ConcurrentHashMap.newKeySet();

  ZoneEventDelivery(Vertx vertx) {
    this.vertx = vertx;
    this.roles =
        vertx.isClustered() ? new Members.Roles(((VertxInternal) vertx).clusterManager()) : null;
  }

  /** Sends one event to every front end; any thread. */
  void deliver(ZoneEvent ev) {
    if (!vertx.isClustered()) {
      vertx.eventBus().publish(Addresses.ZONE_EVENTS, ev);
      return;
    }
    ClusterManager cm = ((VertxInternal) vertx).clusterManager();
    String me = cm.getNodeId();
    List<String> nodes = cm.getNodes();
    roles.retain(nodes); // who left
    for (String node : nodes) {
      if (node.equals(me)) {
        continue;
      }
      Future<String> role = roles.of(node);
      // a role already known sends at once, on this thread, so that one zone's events leave in
      // the order they were made; a role asked for first chains every event behind that one answer
      Future<?> sent =
          role.isComplete()
              ? toFrontEnd(node, role.result(), ev)
              : role.compose(r -> toFrontEnd(node, r, ev));
      if (!late.contains(node) && !sent.isComplete()) {
        pending.add(sent);
        sent.onComplete(x -> pending.remove(sent));
      }
    }
  }

  /**
   * Completes once every event delivered so far was taken by each front end waited for (never
   * fails).
   */
  Future<Void> settled() {
    if (pending.isEmpty()) {
      return Future.succeededFuture();
    }
    return Future.join(new ArrayList<>(pending)).transform(x -> Future.succeededFuture());
  }

  private Future<?> toFrontEnd(String node, String role, ZoneEvent ev) {
    if (!"frontend".equals(role)) {
      return Future.succeededFuture();
    }
    return vertx
        .eventBus()
        .request(Addresses.zoneEventsOf(node), ev, new DeliveryOptions().setSendTimeout(ACK_MS))
        .onSuccess(m -> late.remove(node))
        .recover(
            e -> {
              if (e instanceof ReplyException r && r.failureType() == ReplyFailure.TIMEOUT) {
                if (late.add(node)) {
                  LOG.warn(
                      "front end {} did not take a zone event within {} ms; answers no longer"
                          + " wait for it until it does",
                      node,
                      ACK_MS);
                }
              }
              return Future.succeededFuture();
            });
  }
}
