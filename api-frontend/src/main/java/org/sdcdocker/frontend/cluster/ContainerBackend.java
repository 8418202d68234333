package org.sdcdocker.frontend.cluster;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.sdcdocker.frontend.metrics.FrontendMetrics;
import org.sdcdocker.frontend.translate.Creation;
import org.sdcdocker.frontend.translate.Names;
import org.sdcdocker.frontend.translate.SentConfig;
import org.sdcdocker.protocol.DockerException;
import org.sdcdocker.protocol.ErrorKind;
import org.sdcdocker.protocol.agent.AgentEvents.Heartbeat;
import org.sdcdocker.protocol.agent.AgentRequests;
import org.sdcdocker.protocol.agent.AgentRequests.Ticket;
import org.sdcdocker.protocol.agent.ContainerSpec;
import org.sdcdocker.protocol.agent.NetworkRecords;
import org.sdcdocker.protocol.agent.NetworkSpec;
import org.sdcdocker.protocol.agent.VolumeRecords;
import org.sdcdocker.protocol.agent.ZoneRecord;
import org.sdcdocker.protocol.agent.ZoneState;

/**
 * The containers of the fleet: each call finds the container in the index and asks its compute node
 * over the event bus. Agents' events keep the index current.
 *
 * <p>Why it is long: one short method per container verb of the API (about 25), each finding the
 * container and asking its node; placement, the nodes' intake and Docker's events are elsewhere.
 */
public final class ContainerBackend implements Containers {
  private static final long SHORT_MS = 30_000;
  private static final long CREATE_MS = 10 * 60_000;

  private final Vertx vertx;
  private final AgentDirectory agents;
  private final ContainerIndex index;
  private final String blobSource;
  private final EventLog events;
  private final SentConfigs sent;
  private final NameReservations names;
  private final Reservations reservations;
  private final Fabrics fabrics;
  private final NetworkBackend networks;
  private final VolumePlaces volumePlaces;
  private final VolumeBackend volumes;

  private final Placement placement;
  private final FleetNodes fleet;

  public ContainerBackend(
      Vertx vertx,
      AgentDirectory agents,
      ContainerIndex index,
      String blobSource,
      EventLog events,
      SentConfigs sent,
      String fabricPool,
      FleetNetworks fleetNetworks) {
    this.events = events;
    this.sent = sent;
    this.vertx = vertx;
    this.agents = agents;
    this.index = index;
    this.blobSource = blobSource;
    this.placement = new Placement(agents, index);
    this.names = new NameReservations(vertx, index);
    this.reservations = new Reservations(vertx, placement, CREATE_MS);
    this.fabrics = new Fabrics(vertx, fabricPool, this::everyNodeListed);
    this.networks = new NetworkBackend(vertx, agents, index, fabrics, fleetNetworks);
    this.volumePlaces = new VolumePlaces(vertx);
    this.volumes = new VolumeBackend(agents, volumePlaces);
    this.fleet =
        new FleetNodes(
            vertx,
            agents,
            index,
            sent,
            names,
            reservations,
            fabrics,
            new DockerEvents(events.local(), index)); // every front end gets them
  }

  private boolean everyNodeListed() {
    return fleet.listedAll();
  }

  /** The networks, which in a fleet share the containers' addresses. */
  public NetworkBackend networks() {
    return networks;
  }

  /** The volumes, which in a fleet pin the containers that mount them to their nodes. */
  public VolumeBackend volumes() {
    return volumes;
  }

  /** The nodes, their heartbeats and events: where the index learns what runs. */
  public FleetNodes fleet() {
    return fleet;
  }

  /** An event the front end itself causes (kill, stop, restart, attach). */
  @Override
  public void event(String action, ZoneRecord r, Map<String, String> extra) {
    events.container(action, r, EventLog.now(), extra);
  }

  /** Creates a translated container: its name reserved, placed on a node, made there. */
  @Override
  public Future<ZoneRecord> create(String account, Creation creation) {
    return made(account, creation).onComplete(ar -> FrontendMetrics.create(ar.succeeded()));
  }

  private Future<ZoneRecord> made(String account, Creation creation) {
    String id = creation.spec().id();
    Future<Fabrics.Claimed> claimed =
        vertx.isClustered() && creation.spec().network().onFabric()
            ? fabrics.claim(account, id)
            : Future.succeededFuture();
    return networks
        .refreshedFor(creation.spec()) // a network made through another front end just now
        .compose(v -> pinnedNode(account, creation.spec()))
        .compose(
            pin ->
                reservedAndPlaced(account, creation, pin.node())
                    .compose(chosen -> withVolumesClaimed(account, creation, pin, chosen)))
        .onFailure(e -> claimed.onSuccess(c -> fabrics.release(c, id)))
        .compose(chosen -> onFabric(account, chosen, claimed))
        .compose(chosen -> onFleetNetworks(account, chosen))
        .compose(
            chosen -> {
              ContainerSpec spec = chosen.getKey();
              Placement.Placed placed = chosen.getValue();
              Future<Void> shared = sent.share(spec.id(), placed.cn(), creation.sent());
              return agents
                  .request(
                      placed.cn(),
                      new AgentRequests.CreateZone(placed.spec(), blobSource),
                      CREATE_MS)
                  .onComplete(ar -> reservations.answered(placed.cn(), spec.id(), ar.succeeded()))
                  .onSuccess(index::put)
                  .onSuccess(fabrics::made) // the node's gateway, had it one already
                  .onFailure(
                      e -> {
                        names.release(account, spec.name(), spec.id());
                        fabrics.releaseAll(placed.spec());
                        shared.onComplete(ar -> sent.remove(spec.id()));
                      })
                  .compose(
                      rec ->
                          Future.join(
                                  shared, sent.put(rec.spec().id(), rec.cnUuid(), creation.sent()))
                              .otherwise(e -> null) // inspect falls back to the spec's fields
                              .map(rec));
            });
  }

  /**
   * In a fleet, a container on its account's fabric gets its address there (claimed while its node
   * was chosen) and its node's gateway on it from the front ends; what was reserved goes back when
   * that fails.
   */
  private Future<Map.Entry<ContainerSpec, Placement.Placed>> onFabric(
      String account,
      Map.Entry<ContainerSpec, Placement.Placed> chosen,
      Future<Fabrics.Claimed> claimed) {
    ContainerSpec spec = chosen.getKey();
    Placement.Placed placed = chosen.getValue();
    return claimed
        .compose(
            c -> {
              if (c == null || !placed.spec().network().onFabric()) {
                fabrics.release(c, spec.id());
                return Future.succeededFuture(chosen);
              }
              return fabrics
                  .onNode(c, placed.cn())
                  .onFailure(e -> fabrics.release(c, spec.id()))
                  .map(
                      f ->
                          Map.entry(
                              spec,
                              new Placement.Placed(
                                  placed.spec().withNetwork(placed.spec().network().withFabric(f)),
                                  placed.cn())));
            })
        .onFailure(
            e -> {
              reservations.answered(placed.cn(), spec.id(), false);
              names.release(account, spec.name(), spec.id());
            });
  }

  /**
   * In a fleet, a container attached to fleet-wide networks gets its addresses there and its node's
   * gateways; what was reserved goes back when that fails.
   */
  private Future<Map.Entry<ContainerSpec, Placement.Placed>> onFleetNetworks(
      String account, Map.Entry<ContainerSpec, Placement.Placed> chosen) {
    ContainerSpec spec = chosen.getKey();
    Placement.Placed placed = chosen.getValue();
    return networks
        .onNode(placed.spec(), placed.cn())
        .map(s -> Map.entry(spec, new Placement.Placed(s, placed.cn())))
        .onFailure(
            e -> {
              reservations.answered(placed.cn(), spec.id(), false);
              names.release(account, spec.name(), spec.id());
              fabrics.release(placed.spec().network().fabric(), spec.id());
            });
  }

  /**
   * Where a container must go: {@code node} is the node, with what holds it there ("network web",
   * "volume data"; null: none), its node-local network's or its named volumes' (their data is on
   * the node that made them); those on different nodes cannot be had together. {@code fresh} are
   * the named volumes no node has yet, in a fleet: they are made where the container goes, and
   * claimed for that node first ({@link #withVolumesClaimed}).
   */
  private record Pin(Map.Entry<String, String> node, List<String> fresh) {}

  private Future<Pin> pinnedNode(String account, ContainerSpec spec) {
    return Future.join(networkNode(account, spec), volumeNode(account, spec))
        .map(
            all -> {
              Map.Entry<String, String> network = all.resultAt(0);
              Pin volume = all.resultAt(1);
              if (network != null
                  && volume.node() != null
                  && !network.getValue().equals(volume.node().getValue())) {
                throw DockerException.unavailable(
                    "cannot create this container: its %s and its %s are on different compute nodes",
                    network.getKey(), volume.node().getKey());
              }
              return new Pin(network != null ? network : volume.node(), volume.fresh());
            });
  }

  /**
   * In a fleet, the node that holds the named volumes a container mounts ("volume NAME" and the
   * node; null when none of them exists yet), and those no node has yet: a live node that holds
   * one, else a node that is down whose containers mount it, else the node its first create claimed
   * (which may be making it now, through another front end).
   */
  private Future<Pin> volumeNode(String account, ContainerSpec spec) {
    List<String> named =
        spec.mounts().stream()
            .filter(m -> m.type().equals("volume") && !m.anonymous() && m.from() == null)
            .map(VolumeRecords.MountSpec::source)
            .distinct()
            .toList();
    if (!vertx.isClustered() || named.isEmpty()) {
      return Future.succeededFuture(new Pin(null, List.of()));
    }
    return VolumeBackend.holders(agents, account)
        .compose(
            held -> {
              // each name's nodes: a live one that holds it, else a node that is down whose
              // containers mount it; for those with neither, where its first create claimed it
              Map<String, List<String>> found = new LinkedHashMap<>();
              Map<String, Future<String>> claimed = new LinkedHashMap<>();
              for (String name : named) {
                List<String> nodes = held.getOrDefault(name, List.of());
                found.put(name, nodes.isEmpty() ? awayWith(account, name) : nodes);
                if (found.get(name).isEmpty()) {
                  claimed.put(name, volumePlaces.where(account, name));
                }
              }
              return Future.all(new ArrayList<>(claimed.values()))
                  .map(
                      x -> {
                        Map.Entry<String, String> pin = null;
                        List<String> fresh = new ArrayList<>();
                        for (String name : named) {
                          List<String> nodes = found.get(name);
                          if (nodes.isEmpty() && claimed.get(name).result() != null) {
                            nodes = List.of(claimed.get(name).result());
                          }
                          if (nodes.isEmpty()) {
                            fresh.add(name);
                            continue;
                          }
                          if (pin != null && !nodes.contains(pin.getValue())) {
                            throw differentNodes(pin.getKey(), name);
                          }
                          if (pin == null) {
                            pin = Map.entry("volume " + name, nodes.get(0));
                          }
                        }
                        return new Pin(pin, fresh);
                      });
            });
  }

  private static DockerException differentNodes(String pinnedBy, String volume) {
    return DockerException.unavailable(
        "cannot create this container: its %s and its volume %s are on different compute nodes",
        pinnedBy, volume);
  }

  /**
   * Claims the node a container was placed on for the named volumes it makes there (its {@code
   * fresh} ones), so that every other create of those names, through any front end, goes there too.
   * When a create through another front end claimed one of them first, the container is placed
   * again, on that node (once; what this one claimed goes back).
   */
  private Future<Map.Entry<ContainerSpec, Placement.Placed>> withVolumesClaimed(
      String account,
      Creation creation,
      Pin pin,
      Map.Entry<ContainerSpec, Placement.Placed> chosen) {
    if (pin.fresh().isEmpty()) {
      return Future.succeededFuture(chosen);
    }
    ContainerSpec spec = chosen.getKey();
    String cn = chosen.getValue().cn();
    return claimAll(account, pin.fresh(), cn, 0, new ArrayList<>())
        .onFailure(e -> reservations.answered(cn, spec.id(), false))
        .compose(
            first -> {
              if (first == null) {
                return Future.succeededFuture(chosen);
              }
              reservations.answered(cn, spec.id(), false);
              if (pin.node() != null) {
                return Future.failedFuture(differentNodes(pin.node().getKey(), first.getKey()));
              }
              Map.Entry<String, String> there =
                  Map.entry("volume " + first.getKey(), first.getValue());
              ContainerSpec asked = creation.spec();
              return reservations
                  .place(
                      account,
                      asked.id(),
                      () -> placement.place(account, asked, creation.volumesFrom(), there))
                  .compose(
                      p ->
                          claimAll(account, pin.fresh(), p.cn(), 0, new ArrayList<>())
                              .onFailure(e -> reservations.answered(p.cn(), spec.id(), false))
                              .compose(
                                  again -> {
                                    if (again != null) {
                                      reservations.answered(p.cn(), spec.id(), false);
                                      return Future.failedFuture(
                                          differentNodes(there.getKey(), again.getKey()));
                                    }
                                    return Future.succeededFuture(
                                        Map.entry(spec, named(p, spec.name())));
                                  }));
            })
        .onFailure(e -> names.release(account, spec.name(), spec.id()));
  }

  /**
   * Claims {@code cn} for each name in turn; null when all are, else the first name claimed for
   * another node, with that node. What was claimed here goes back when a name was claimed for
   * another node or could not be claimed.
   */
  private Future<Map.Entry<String, String>> claimAll(
      String account, List<String> volumes, String cn, int i, List<String> claimed) {
    if (i == volumes.size()) {
      return Future.succeededFuture();
    }
    String name = volumes.get(i);
    return volumePlaces
        .claim(account, name, cn)
        .compose(
            at -> {
              if (at.equals(cn)) {
                claimed.add(name);
                return claimAll(account, volumes, cn, i + 1, claimed);
              }
              claimed.forEach(n -> volumePlaces.forget(account, n, cn));
              return Future.succeededFuture(Map.entry(name, at));
            },
            e -> {
              claimed.forEach(n -> volumePlaces.forget(account, n, cn));
              return Future.failedFuture(e);
            });
  }

  /**
   * The nodes, not live now, of the account's containers that mount the named volume: it is there,
   * out of reach (a container pinned to it is refused, not given an empty volume elsewhere).
   */
  private List<String> awayWith(String account, String volume) {
    return index.all(account).stream()
        .filter(r -> !agents.isLive(r.cnUuid()))
        .filter(
            r ->
                r.spec().mounts().stream()
                    .anyMatch(
                        m ->
                            m.type().equals("volume")
                                && m.from() == null
                                && m.source().equals(volume)))
        .map(ZoneRecord::cnUuid)
        .distinct()
        .toList();
  }

  /**
   * In a fleet, the node of a node-local user-defined network a container is attached to (one made
   * before networks spanned the fleet), with "network NAME" (null: none). Two on different nodes
   * cannot be had together; fleet-wide networks pin nothing.
   */
  private Future<Map.Entry<String, String>> networkNode(String account, ContainerSpec spec) {
    if (!vertx.isClustered() || spec.network().sharesContainer()) {
      return Future.succeededFuture();
    }
    List<String> named =
        spec.network().endpoints().stream()
            .map(NetworkSpec.Endpoint::network)
            .filter(n -> !n.equals(NetworkRecords.FABRIC) && !n.equals("none"))
            .filter(n -> networks.fleetNetworks().find(account, n).isEmpty())
            .distinct()
            .toList();
    if (named.isEmpty()) {
      return Future.succeededFuture();
    }
    List<Future<String>> nodes = named.stream().map(n -> networks.nodeOf(account, n)).toList();
    return Future.all(nodes)
        .map(
            all -> {
              if (nodes.stream().map(Future::result).distinct().count() > 1) {
                throw DockerException.unavailable(
                    "cannot create this container: its networks %s are on different compute nodes",
                    String.join(", ", named));
              }
              return Map.entry("network " + named.get(0), nodes.get(0).result());
            });
  }

  /**
   * The spec with its name reserved and the node chosen for it, both at once (each is a round trip
   * to the cluster in a fleet); when one fails, what the other took is given back, and a name
   * conflict is the error the client sees, as Docker checks the name first.
   */
  private Future<Map.Entry<ContainerSpec, Placement.Placed>> reservedAndPlaced(
      String account, Creation creation, Map.Entry<String, String> pin) {
    ContainerSpec asked = creation.spec();
    Future<ContainerSpec> named = reserveName(account, asked, creation.nameChosen(), 0);
    Future<Placement.Placed> placed =
        reservations.place(
            account,
            asked.id(),
            () -> placement.place(account, asked, creation.volumesFrom(), pin));
    return Future.join(named, placed)
        .transform(
            ar -> {
              if (named.failed()) {
                if (placed.succeeded()) {
                  reservations.answered(placed.result().cn(), asked.id(), false);
                }
                return Future.failedFuture(named.cause());
              }
              ContainerSpec spec = named.result();
              if (placed.failed()) {
                names.release(account, spec.name(), spec.id());
                return Future.failedFuture(placed.cause());
              }
              return Future.succeededFuture(Map.entry(spec, named(placed.result(), spec.name())));
            });
  }

  /** The placed spec under the name reserved for it (a drawn name taken was drawn again). */
  private static Placement.Placed named(Placement.Placed p, String name) {
    return p.spec().name().equals(name) ? p : new Placement.Placed(p.spec().withName(name), p.cn());
  }

  /**
   * The spec with its name reserved: a name the client chose is its conflict; a drawn one that is
   * taken is drawn again (20 times at most).
   */
  private Future<ContainerSpec> reserveName(
      String account, ContainerSpec spec, boolean chosen, int tries) {
    return names
        .reserve(account, spec.name(), spec.id())
        .map(spec)
        .recover(
            taken ->
                chosen || tries == 20 || !(taken instanceof DockerException)
                    ? Future.failedFuture(taken)
                    : reserveName(account, spec.withName(Names.random()), false, tries + 1));
  }

  @Override
  public Future<SentConfig> sentConfig(String id) {
    return sent.get(id);
  }

  @Override
  public List<Node> knownNodes() {
    return fleet.known();
  }

  @Override
  public int forgetNode(String cnUuid) {
    int n = fleet.forget(cnUuid);
    volumePlaces.forgetNode(cnUuid); // its volumes went with it
    return n;
  }

  @Override
  public Future<Void> reserveNode(String cnUuid, boolean reserved) {
    return fleet.reserve(cnUuid, reserved);
  }

  @Override
  public Heartbeat heartbeat(String cnUuid) {
    return agents.last(cnUuid);
  }

  @Override
  public boolean nodeLive(String cnUuid) {
    return agents.isLive(cnUuid);
  }

  /** The compute nodes heard from lately. */
  @Override
  public Collection<Heartbeat> nodes() {
    return agents.live();
  }

  /** Every container of every account (what images are in use). */
  @Override
  public Collection<ZoneRecord> all() {
    return index.everything();
  }

  @Override
  public List<ZoneRecord> list(String account) {
    return index.all(account);
  }

  @Override
  public ZoneRecord get(String account, String ref) {
    return index.resolve(account, ref);
  }

  /** Starts; ALREADY when it runs already. */
  @Override
  public Future<Outcome> start(String account, String ref) {
    ZoneRecord r = index.resolve(account, ref);
    if (r.state().running()) {
      return Future.succeededFuture(Outcome.ALREADY);
    }
    return networks
        .refreshedFor(r.spec()) // a network removed through another front end just now
        .compose(v -> startOnNode(r));
  }

  private Future<Outcome> startOnNode(ZoneRecord r) {
    for (NetworkSpec.Endpoint e : r.spec().network().endpoints()) {
      if (e.fabric() != null
          && e.networkId() != null
          && networks.fleetNetworks().known(e.networkId())
          && networks.fleetNetworks().byId(e.networkId()).isEmpty()) {
        // its address there went with the network: its node keeps only a stale copy
        return Future.failedFuture(DockerException.notFound("network %s not found", e.network()));
      }
    }
    return agents
        .request(r.cnUuid(), new AgentRequests.StartZone(r.spec().id()), SHORT_MS)
        .map(
            rec -> {
              index.put(rec);
              return Outcome.DONE;
            })
        .recover(
            e -> {
              if (r.spec()
                  .autoRemove()) { // as Docker: a --rm container that cannot start is removed
                agents
                    .request(
                        r.cnUuid(),
                        new AgentRequests.DeleteZone(r.spec().id(), true, true),
                        SHORT_MS)
                    .onSuccess(v -> index.destroyed(r.spec().id()));
              }
              return Future.failedFuture(e);
            });
  }

  @Override
  public Future<Void> kill(String account, String ref, int signal) {
    ZoneRecord r = index.resolve(account, ref);
    if (!r.state().running()) {
      return Future.failedFuture(notRunning(ref, r));
    }
    String id = r.spec().id();
    // as Docker's: a SIGKILL is answered once the container is no longer running
    Future<ZoneRecord> exited =
        signal == 9 ? index.when(id, c -> c.after() == null || !c.after().state().running()) : null;
    return agents
        .request(r.cnUuid(), new AgentRequests.KillZone(id, signal, true), SHORT_MS)
        .recover(
            e ->
                Future.failedFuture(
                    DockerException.of(e).kind() == ErrorKind.CONFLICT ? notRunning(ref, r) : e))
        .onSuccess(v -> event("kill", r, Map.of("signal", Integer.toString(signal))))
        .compose(
            v ->
                exited == null
                    ? Future.succeededFuture()
                    : exited.timeout(10, TimeUnit.SECONDS).otherwiseEmpty())
        .mapEmpty();
  }

  private static DockerException notRunning(String ref, ZoneRecord r) {
    return DockerException.conflict(
        "Cannot kill container: %s: container %s is not running", ref, r.spec().id());
  }

  /**
   * A kill the agent refused because the zone had just exited: done, as far as a stop is concerned.
   */
  private static <T> Future<T> exitedAlready(Throwable e) {
    return DockerException.of(e).kind() == ErrorKind.CONFLICT
        ? Future.succeededFuture()
        : Future.failedFuture(e);
  }

  /** The signal, then SIGKILL after the timeout; ALREADY when it was not running. */
  @Override
  public Future<Outcome> stop(String account, String ref, int signal, int timeoutSeconds) {
    ZoneRecord r = index.resolve(account, ref);
    String id = r.spec().id();
    if (r.state().restarting()) {
      return agents
          .request(r.cnUuid(), new AgentRequests.KillZone(id, signal, true), SHORT_MS)
          .map(x -> Outcome.DONE);
    }
    if (!r.state().running()) {
      return Future.succeededFuture(Outcome.ALREADY);
    }
    // the exit comes as the node's event: when the node goes first, the stop fails then
    Future<ZoneRecord> exited =
        agents.whileLive(
            r.cnUuid(),
            "stop",
            index.when(id, c -> c.after() == null || !c.after().state().running()));
    return agents
        .request(r.cnUuid(), new AgentRequests.KillZone(id, signal, true), SHORT_MS)
        .onSuccess(v -> event("kill", r, Map.of("signal", Integer.toString(signal))))
        .recover(ContainerBackend::exitedAlready)
        .compose(
            v ->
                timeoutSeconds < 0
                    ? exited
                    : exited.timeout(Math.max(0, timeoutSeconds), TimeUnit.SECONDS))
        .recover(
            e ->
                !agents.isLive(r.cnUuid())
                    ? Future.failedFuture(e) // the node went: say so, do not ask it again
                    : agents
                        .request(r.cnUuid(), new AgentRequests.KillZone(id, 9, true), SHORT_MS)
                        .onSuccess(v -> event("kill", r, Map.of("signal", "9")))
                        .recover(ContainerBackend::exitedAlready)
                        .compose(v -> exited))
        .onSuccess(x -> event("stop", r, Map.of()))
        .map(x -> Outcome.DONE);
  }

  /** Stop (when running), then start. */
  @Override
  public Future<Void> restart(String account, String ref, int signal, int timeoutSeconds) {
    ZoneRecord r = index.resolve(account, ref);
    return stop(account, ref, signal, timeoutSeconds)
        .compose(
            code ->
                agents.request(r.cnUuid(), new AgentRequests.StartZone(r.spec().id()), SHORT_MS))
        .onSuccess(index::put)
        .onSuccess(rec -> event("restart", rec, Map.of()))
        .mapEmpty();
  }

  /** Freezes or thaws a running container. */
  @Override
  public Future<Void> pause(String account, String ref, boolean pause) {
    ZoneRecord r = index.resolve(account, ref);
    if (!r.state().running()) {
      return Future.failedFuture(
          DockerException.conflict("Container %s is not running", r.spec().id()));
    }
    if (r.state().paused() == pause) {
      return Future.failedFuture(
          DockerException.conflict(
              pause ? "Container %s is already paused" : "Container %s is not paused",
              r.spec().id()));
    }
    return agents
        .request(r.cnUuid(), new AgentRequests.PauseZone(r.spec().id(), pause), SHORT_MS)
        .onSuccess(index::put)
        .mapEmpty();
  }

  @Override
  public Future<AgentRequests.ChangeList> changes(String account, String ref) {
    ZoneRecord r = index.resolve(account, ref);
    return agents.request(r.cnUuid(), new AgentRequests.Changes(r.spec().id()), SHORT_MS);
  }

  @Override
  public Future<AgentRequests.TopResult> top(String account, String ref, String psArgs) {
    ZoneRecord r = index.resolve(account, ref);
    return agents
        .request(r.cnUuid(), new AgentRequests.Top(r.spec().id(), psArgs), SHORT_MS)
        .onSuccess(t -> event("top", r, Map.of()));
  }

  /**
   * One sample; a container gone meanwhile is a failed future (stats is also called from a timer).
   */
  @Override
  public Future<AgentRequests.StatsResult> stats(String account, String ref) {
    ZoneRecord r;
    try {
      r = index.resolve(account, ref);
    } catch (DockerException e) {
      return Future.failedFuture(e);
    }
    return agents.request(r.cnUuid(), new AgentRequests.Stats(r.spec().id()), SHORT_MS);
  }

  /** New limits or restart policy. */
  @Override
  public Future<ZoneRecord> update(String account, String ref, AgentRequests.UpdateZone u) {
    ZoneRecord r = index.resolve(account, ref);
    AgentRequests.UpdateZone forZone =
        new AgentRequests.UpdateZone(
            r.spec().id(),
            u.memory(),
            u.memorySwap(),
            u.memoryReservation(),
            u.cpuShares(),
            u.nanoCpus(),
            u.pidsLimit(),
            u.restartPolicy());
    if (u.restartPolicy() != null
        && !u.restartPolicy().name().equals("no")
        && r.spec().autoRemove()) {
      return Future.failedFuture(
          DockerException.invalid(
              "Restart policy cannot be updated because AutoRemove is enabled for the container"));
    }
    return agents.request(r.cnUuid(), forZone, SHORT_MS).onSuccess(index::put);
  }

  /** Removes every container of the account that does not run (and matches); their ids. */
  @Override
  public Future<List<String>> prune(String account, Predicate<ZoneRecord> filter) {
    List<ZoneRecord> gone =
        index.all(account).stream()
            .filter(r -> !r.state().running() && !r.state().restarting())
            .filter(filter)
            .toList();
    return Attempts.succeeded(
        gone,
        r ->
            agents
                .request(r.cnUuid(), new AgentRequests.DeleteZone(r.spec().id(), false), SHORT_MS)
                .map(
                    v -> {
                      index.destroyed(r.spec().id());
                      return r.spec().id();
                    }));
  }

  @Override
  public Future<AgentRequests.WhereResult> where(ZoneRecord r) {
    return agents.request(r.cnUuid(), new AgentRequests.Where(r.spec().id()), SHORT_MS);
  }

  /** SizeRw and SizeRootFs of a container. */
  @Override
  public Future<AgentRequests.SizesResult> sizes(ZoneRecord r) {
    return agents.request(r.cnUuid(), new AgentRequests.Sizes(r.spec().id()), SHORT_MS);
  }

  /** The stat of a path inside the container, for docker cp. */
  @Override
  public Future<AgentRequests.PathStat> statPath(ZoneRecord r, String path) {
    return agents.request(r.cnUuid(), new AgentRequests.StatPath(r.spec().id(), path), SHORT_MS);
  }

  /** Resizes a running container's TTY. */
  @Override
  public Future<Void> resize(String account, String ref, int height, int width) {
    ZoneRecord r = index.resolve(account, ref);
    return agents
        .request(r.cnUuid(), new AgentRequests.ResizeZone(r.spec().id(), height, width), SHORT_MS)
        .onSuccess(
            v ->
                event(
                    "resize",
                    r,
                    Map.of("height", Integer.toString(height), "width", Integer.toString(width))))
        .mapEmpty();
  }

  /** Renames; the new name must be free within the account. */
  @Override
  public Future<Void> rename(String account, String ref, String newName) {
    ZoneRecord r = index.resolve(account, ref);
    if (newName.equals(r.spec().name())) {
      return Future.failedFuture(
          DockerException.invalid("Renaming a container with the same name as its current name"));
    }
    String id = r.spec().id();
    return names
        .reserve(account, newName, id)
        .compose(
            v ->
                agents
                    .request(r.cnUuid(), new AgentRequests.RenameZone(id, newName), SHORT_MS)
                    .onSuccess(index::put)
                    .onFailure(e -> names.release(account, newName, id)))
        .compose(rec -> names.release(account, r.spec().name(), id)); // free once answered
  }

  @Override
  public Future<Void> remove(String account, String ref, boolean force) {
    return remove(account, ref, force, false);
  }

  /** Removes a container; with volumes, its anonymous volumes too (rm -v). */
  @Override
  public Future<Void> remove(String account, String ref, boolean force, boolean volumes) {
    ZoneRecord r = index.resolve(account, ref);
    if (r.state().running() && !force) {
      return Future.failedFuture(
          DockerException.conflict(
              "cannot remove container \"/%s\": container is running: "
                  + "stop the container before removing or force remove",
              r.spec().name()));
    }
    List<String> sharers =
        index.all(account).stream()
            .filter(o -> o.spec().mounts().stream().anyMatch(m -> r.spec().id().equals(m.from())))
            .map(o -> o.spec().id())
            .toList();
    if (!sharers.isEmpty()) {
      return Future.failedFuture(
          DockerException.conflict(
              "cannot remove container \"/%s\": its volumes are used by "
                  + "container(s) %s through --volumes-from; remove those first",
              r.spec().name(), sharers));
    }
    if (r.state().restarting() && !force) {
      return Future.failedFuture(
          DockerException.conflict(
              "cannot remove container \"/%s\": container is restarting: "
                  + "stop the container before removing or force remove",
              r.spec().name()));
    }
    if (force && r.state().running()) {
      event("kill", r, Map.of("signal", "9"));
    }
    return agents
        .request(r.cnUuid(), new AgentRequests.DeleteZone(r.spec().id(), force, volumes), SHORT_MS)
        .onSuccess(v -> index.destroyed(r.spec().id()))
        // its name free through every front end once answered (each also frees it on the event)
        .compose(v -> names.release(account, r.spec().name(), r.spec().id()));
  }

  /**
   * The container's changes as a layer made by its agent (docker commit); the zone frozen meanwhile
   * when asked.
   */
  @Override
  public Future<AgentRequests.CommitResult> commitLayer(ZoneRecord r, boolean pause) {
    return agents.request(
        r.cnUuid(), new AgentRequests.CommitZone(r.spec().id(), pause), CREATE_MS);
  }

  /** docker rm --link /PARENT/ALIAS: the parent forgets the link; no container is removed. */
  @Override
  public Future<Void> unlink(String account, String linkName) {
    String name = linkName.startsWith("/") ? linkName : "/" + linkName;
    int slash = name.lastIndexOf('/');
    if (slash == 0) {
      return Future.failedFuture(
          DockerException.conflict(
              "Conflict, cannot remove the default link name of the " + "container"));
    }
    String parentName = name.substring(1, slash);
    String alias = name.substring(slash + 1);
    ZoneRecord parent;
    try {
      parent = index.resolve(account, parentName);
    } catch (DockerException e) {
      return Future.failedFuture(
          DockerException.notFound("Cannot get parent /%s for link name %s", parentName, name));
    }
    if (parent.spec().network().links().stream().noneMatch(l -> l.alias().equals(alias))) {
      return Future.failedFuture(DockerException.notFound("No such container: %s", name));
    }
    return agents
        .request(parent.cnUuid(), new AgentRequests.Unlink(parent.spec().id(), alias), SHORT_MS)
        .onSuccess(index::put)
        .mapEmpty();
  }

  /** Docker's wait conditions: not-running (default), next-exit, removed. */
  @Override
  public Future<ZoneRecord> waitFor(String account, String ref, String condition) {
    ZoneRecord gone = index.autoRemoved(account, ref);
    if (gone != null && index.byId(ref) == null) {
      return Future.succeededFuture(gone); // it ended, and its AutoRemove removed it
    }
    ZoneRecord r = index.resolve(account, ref);
    String id = r.spec().id();
    long gen = r.state().generation();
    return switch (condition) {
      case "not-running", "" ->
          r.state().running()
              ? index.when(id, c -> c.after() == null || !c.after().state().running())
              : Future.succeededFuture(r);
      case "next-exit" ->
          index.when(
              id,
              c ->
                  c.after() == null
                      || (ended(c.after())
                          && c.before() != null
                          && (c.after().state().generation() > gen || r.state().running())
                          && !ended(c.before())));
      case "removed" -> index.when(id, c -> c.after() == null);
      default -> throw DockerException.invalid("invalid condition: \"%s\"", condition);
    };
  }

  /** A run's end: exited, or waiting out a restart policy's delay. */
  private static boolean ended(ZoneRecord r) {
    return ZoneState.EXITED.equals(r.state().status()) || r.state().restarting();
  }

  /** A one-time URL of the zone's stream on its agent. */
  @Override
  public Future<String> streamTicket(ZoneRecord r, String kind, String query) {
    return agents
        .request(r.cnUuid(), new AgentRequests.StreamTicket(r.spec().id(), kind, query), SHORT_MS)
        .map(Ticket::url);
  }

  /** Every spec of the index, for the system counts. */
  List<ContainerSpec> specs() {
    return index.everything().stream().map(ZoneRecord::spec).toList();
  }
}
