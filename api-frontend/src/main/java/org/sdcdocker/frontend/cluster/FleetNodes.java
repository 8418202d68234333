package org.sdcdocker.frontend.cluster;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.spi.cluster.ClusterManager;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.sdcdocker.bus.Members;
import org.sdcdocker.protocol.DockerException;
import org.sdcdocker.protocol.agent.Addresses;
import org.sdcdocker.protocol.agent.AgentEvents.Heartbeat;
import org.sdcdocker.protocol.agent.AgentEvents.ZoneEvent;
import org.sdcdocker.protocol.agent.AgentRequests;
import org.sdcdocker.protocol.agent.ZoneRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The compute nodes as this front end knows them: their heartbeats (a node heard for the first
 * time, or again after it went, has its zones listed into the index, and what happened meanwhile
 * becomes events), their zone events, and the operator's verbs on them (forget, reserve).
 */
public final class FleetNodes {
  private static final long SHORT_MS = 30_000;

  private final Vertx vertx;
  private final AgentDirectory agents;
  private final ContainerIndex index;
  private final SentConfigs sent;
  private final NameReservations names;
  private final Reservations reservations;
  private final Fabrics fabrics;
  private final DockerEvents dockerEvents;

  /** The nodes listed once: a later list of one of them is compared with what was known. */
  private final Set<String> listedNodes = ConcurrentHashMap.newKeySet();

  /** The nodes heard whose list has not arrived yet (asked, or failed: asked again). */
  private static final Logger LOG = LoggerFactory.getLogger(FleetNodes.class);

  private final Set<String> unlisted = ConcurrentHashMap.newKeySet();

  /**
   * The nodes whose list is asked for now, and when: a heartbeat meanwhile does not ask again (a
   * node just back beats more than once while hundreds of its zones are listed), a new run of its
   * agent does.
   */
  private final Map<String, Long> asking = new ConcurrentHashMap<>();

  /**
   * Whether every live node's containers are in this front end's index: after a whole fleet
   * restarted, what the nodes hold (the fabric's addresses among it) is known only then.
   */
  public boolean listedAll() {
    return agents.live().stream()
        .allMatch(h -> listedNodes.contains(h.cnUuid()) && !unlisted.contains(h.cnUuid()));
  }

  /** How long a starting front end waits for an agent in the cluster to beat before it serves. */
  static final long FIRST_BEAT_MS = 3_000;

  /**
   * Completes once this starting front end has listed the containers of every agent in the cluster
   * now, so that its first {@code docker ps} leaves none out. An agent not heard within {@value
   * #FIRST_BEAT_MS} ms (paused, or on its way out) is not waited for, nor anything after {@code
   * maxMs}: such a node's containers are listed when it beats. Without a cluster, at once.
   */
  public Future<Void> listedAtStart(long maxMs) {
    if (!vertx.isClustered()) {
      return Future.succeededFuture();
    }
    long start = System.nanoTime();
    ClusterManager cm = ((VertxInternal) vertx).clusterManager();
    List<Future<String>> nodes = new ArrayList<>();
    for (String member : cm.getNodes()) {
      nodes.add(
          Members.metadata(cm, member)
              .map(
                  meta ->
                      meta != null && "agent".equals(meta.getString("role"))
                          ? meta.getString("node")
                          : null));
    }
    Promise<Void> done = Promise.promise();
    Future.join(nodes)
        .onComplete(
            x -> {
              Set<String> cns = new HashSet<>();
              nodes.forEach(f -> cns.add(f.result()));
              cns.remove(null);
              vertx.setPeriodic(
                  1,
                  20,
                  t -> {
                    long ms = (System.nanoTime() - start) / 1_000_000;
                    boolean all =
                        cns.stream()
                            .allMatch(
                                cn ->
                                    listedNodes.contains(cn) && !unlisted.contains(cn)
                                        || ms > FIRST_BEAT_MS && !agents.isLive(cn));
                    if (all || ms > maxMs) {
                      vertx.cancelTimer(t);
                      if (!all) {
                        LOG.warn("serving before every compute node's containers are listed");
                      }
                      done.tryComplete();
                    }
                  });
            });
    return done.future();
  }

  FleetNodes(
      Vertx vertx,
      AgentDirectory agents,
      ContainerIndex index,
      SentConfigs sent,
      NameReservations names,
      Reservations reservations,
      Fabrics fabrics,
      DockerEvents dockerEvents) {
    this.vertx = vertx;
    this.agents = agents;
    this.index = index;
    this.sent = sent;
    this.names = names;
    this.reservations = reservations;
    this.fabrics = fabrics;
    this.dockerEvents = dockerEvents;
  }

  /**
   * A heartbeat: a node not known before has its zones listed into the index (and again at its next
   * heartbeat when the list failed).
   */
  public void onHeartbeat(Heartbeat hb) {
    boolean renewed = agents.heard(hb);
    if (renewed || unlisted.contains(hb.cnUuid()) && !asking.containsKey(hb.cnUuid())) {
      long askedAt = System.currentTimeMillis();
      long askedAtNanos = System.nanoTime();
      unlisted.add(hb.cnUuid());
      asking.put(hb.cnUuid(), askedAtNanos);
      agents
          .request(
              hb.cnUuid(), new AgentRequests.ListZones(index.versionsOn(hb.cnUuid())), SHORT_MS)
          .onComplete(done -> asking.remove(hb.cnUuid(), askedAtNanos))
          .onSuccess(
              answer -> {
                List<ZoneRecord> listed = index.listed(hb.cnUuid(), answer);
                unlisted.remove(hb.cnUuid());
                boolean returned = !listedNodes.add(hb.cnUuid());
                // a first list can drop a container too (one this front end heard made, then
                // removed before the list was asked for): the list of events takes its destroy
                List<ZoneEvent> missed = returned ? missed(listed) : new ArrayList<>();
                for (ZoneRecord gone : index.replaceNode(hb.cnUuid(), listed, askedAtNanos)) {
                  missed.add(new ZoneEvent("destroy", gone, EventLog.now()));
                  names.release(gone.spec().owner(), gone.spec().name(), gone.spec().id());
                  fabrics.release(gone);
                }
                missed.forEach(dockerEvents::record);
                listed.forEach(fabrics::learn);
                sent.retainListed(
                    hb.cnUuid(),
                    listed.stream().map(z -> z.spec().id()).collect(Collectors.toSet()),
                    askedAt);
                LOG.info(
                    "compute node {} {}: {} containers listed in {} ms ({} records sent), {} changed meanwhile",
                    hb.cnUuid(),
                    returned ? "is back" : "joined",
                    listed.size(),
                    (System.nanoTime() - askedAtNanos) / 1_000_000,
                    answer.zones().size(),
                    missed.size());
              });
    }
  }

  /**
   * Forgets a node that will not return (an operator's verb): refused while it is live; its
   * containers are reported destroyed, through every front end. The number of its containers.
   */
  public int forget(String cnUuid) {
    if (agents.last(cnUuid) == null) {
      throw DockerException.notFound("no such compute node: %s", cnUuid);
    }
    if (agents.isLive(cnUuid)) {
      throw DockerException.conflict(
          "compute node %s is live: stop its agent before forgetting it", cnUuid);
    }
    int n = (int) index.everything().stream().filter(r -> r.cnUuid().equals(cnUuid)).count();
    vertx.eventBus().publish(Addresses.FRONTEND_FORGET_NODE, cnUuid);
    return n;
  }

  /** Takes a node out of placement (no new containers) or puts it back: its agent keeps it. */
  public Future<Void> reserve(String cnUuid, boolean reserved) {
    if (agents.last(cnUuid) == null) {
      return Future.failedFuture(DockerException.notFound("no such compute node: %s", cnUuid));
    }
    return agents
        .request(cnUuid, new AgentRequests.ReserveNode(reserved), SHORT_MS)
        .<Void>mapEmpty();
  }

  /**
   * A node forgotten through any front end (this one too): it is dropped, and its containers are
   * destroyed as far as the front ends know (each front end records the events, as it records its
   * nodes' own). Should its agent beat again, the node and its containers are listed anew.
   */
  public void onNodeForgotten(String cnUuid) {
    agents.forget(cnUuid);
    listedNodes.remove(cnUuid);
    unlisted.remove(cnUuid);
    List<ZoneRecord> itsZones = index.replaceNode(cnUuid, List.of(), System.nanoTime());
    for (ZoneRecord gone : itsZones) {
      dockerEvents.record(new ZoneEvent("destroy", gone, EventLog.now()));
      names.release(gone.spec().owner(), gone.spec().name(), gone.spec().id());
      sent.remove(gone.spec().id());
      reservations.gone(cnUuid, gone.spec().id());
      fabrics.release(gone);
    }
    fabrics.forgetNode(cnUuid, itsZones);
  }

  /**
   * What a returning node's list says happened while the front end did not hear from it: runs that
   * ended (die) and runs its restart policy began (start), as the events it would have seen.
   */
  private List<ZoneEvent> missed(List<ZoneRecord> listed) {
    List<ZoneEvent> out = new ArrayList<>();
    for (ZoneRecord now : listed) {
      ZoneRecord before = index.byId(now.spec().id());
      if (before == null) {
        continue;
      }
      boolean wasUp = before.state().running();
      boolean isUp = now.state().running();
      if (wasUp && (!isUp || now.state().restartCount() > before.state().restartCount())) {
        out.add(new ZoneEvent("die", now, EventLog.now()));
      }
      if (isUp && (!wasUp || now.state().restartCount() > before.state().restartCount())) {
        out.add(new ZoneEvent("start", now, EventLog.now()));
      }
    }
    return out;
  }

  /** A zone event: the index follows. */
  public void onZoneEvent(ZoneEvent ev) {
    ZoneRecord z = ev.zone();
    dockerEvents.record(ev);
    if (ev.action().equals("destroy")) {
      index.destroyed(z.spec().id());
      reservations.gone(z.cnUuid(), z.spec().id());
      fabrics.release(z);
      sent.remove(z.spec().id());
      names.release(z.spec().owner(), z.spec().name(), z.spec().id());
      return;
    }
    index.put(z); // an AutoRemove container that died is removed by its node
  }

  /** Every node heard from since this front end started, live or not. */
  public List<Containers.Node> known() {
    long now = System.nanoTime();
    Map<String, ContainerIndex.NodeLoad> load = index.loadByNode();
    List<Containers.Node> out = new ArrayList<>();
    for (AgentDirectory.Seen s : agents.known()) {
      String cn = s.heartbeat().cnUuid();
      var l = load.getOrDefault(cn, new ContainerIndex.NodeLoad(0, 0, 0, Map.of()));
      out.add(
          new Containers.Node(
              s.heartbeat(),
              agents.isLive(cn),
              (now - s.atNanos()) / 1_000_000_000L,
              l.zones(),
              l.running(),
              l.memory()));
    }
    out.sort(Comparator.comparing(n -> n.heartbeat().hostname()));
    return out;
  }
}
