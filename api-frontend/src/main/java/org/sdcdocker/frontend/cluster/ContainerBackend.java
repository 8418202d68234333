package org.sdcdocker.frontend.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.Map;
import org.sdcdocker.frontend.translate.CreateTranslator;
import org.sdcdocker.protocol.DockerException;
import org.sdcdocker.protocol.ErrorKind;
import org.sdcdocker.protocol.agent.AgentEvents.Heartbeat;
import org.sdcdocker.protocol.agent.AgentEvents.ZoneEvent;
import org.sdcdocker.protocol.agent.AgentRequests;
import org.sdcdocker.protocol.agent.AgentRequests.Ticket;
import org.sdcdocker.protocol.agent.ContainerSpec;
import org.sdcdocker.protocol.agent.NetworkSpec;
import org.sdcdocker.protocol.agent.VolumeRecords;
import org.sdcdocker.protocol.agent.ZoneRecord;

/**
 * The containers of the fleet: each call finds the container in the index and asks its compute
 * node over the event bus. Agents' events keep the index current.
 */
public final class ContainerBackend {
  private static final long SHORT_MS = 30_000;
  private static final long CREATE_MS = 10 * 60_000;

  private final Vertx vertx;
  private final AgentDirectory agents;
  private final ContainerIndex index;
  private final CreateTranslator translator;
  private final String blobSource;
  private final EventLog events;

  public ContainerBackend(Vertx vertx, AgentDirectory agents, ContainerIndex index, CreateTranslator translator,
      String blobSource, EventLog events) {
    this.events = events;
    this.vertx = vertx;
    this.agents = agents;
    this.index = index;
    this.translator = translator;
    this.blobSource = blobSource;
  }

  /** A heartbeat: a node not known before has its zones listed into the index. */
  public void onHeartbeat(Heartbeat hb) {
    if (agents.heard(hb)) {
      agents.<AgentRequests.ZoneList>request(hb.cnUuid(), "list", new AgentRequests.ListZones(), SHORT_MS)
          .onSuccess(list -> list.zones().forEach(index::put));
    }
  }

  /** A zone event: the index follows, and an AutoRemove container that died is removed. */
  public void onZoneEvent(ZoneEvent ev) {
    ZoneRecord z = ev.zone();
    recordEvent(ev);
    if (ev.action().equals("destroy")) {
      index.remove(z.spec().id());
      return;
    }
    index.put(z);
    if (ev.action().equals("die") && z.spec().autoRemove()) { // with its anonymous volumes, as Docker's --rm
      agents.request(z.cnUuid(), "delete", new AgentRequests.DeleteZone(z.spec().id(), true, true), SHORT_MS)
          .onSuccess(v -> index.remove(z.spec().id()));
    }
  }

  /** A run's network events, as Docker's: connect when it starts, disconnect when it ends. */
  private void networkEvents(String action, ZoneRecord z, long timeNano) {
    for (var a : z.net().attached()) {
      events.add(new EventLog.Event(z.spec().owner(), "network", action, a.networkId(),
          Map.of("container", z.spec().id(), "name", a.networkName(), "type", "bridge"), timeNano));
    }
  }

  /** The zone event as {@code docker events} shows it; internal updates show nothing. */
  private void recordEvent(ZoneEvent ev) {
    ZoneRecord z = ev.zone();
    switch (ev.action()) {
      case "exec_die" -> events.container("exec_die", z, ev.timeNano(), ev.attributes());
      case "die" -> {
        if (z.state().oomKilled()) {
          events.container("oom", z, ev.timeNano(), Map.of());
        }
        events.container("die", z, ev.timeNano(), Map.of("exitCode", Integer.toString(z.state().exitCode())));
        index.all(z.spec().owner()).stream().filter(r -> r.spec().id().equals(z.spec().id())).findFirst()
            .ifPresent(before -> networkEvents("disconnect", before, ev.timeNano()));
      }
      case "start" -> {
        networkEvents("connect", z, ev.timeNano());
        events.container("start", z, ev.timeNano(), Map.of());
      }
      case "rename" -> {
        String old = index.all(z.spec().owner()).stream().filter(r -> r.spec().id().equals(z.spec().id()))
            .map(r -> r.spec().name()).findFirst().orElse("");
        events.container("rename", z, ev.timeNano(), Map.of("oldName", "/" + old));
      }
      case "create", "destroy", "pause", "unpause" -> events.container(ev.action(), z, ev.timeNano(), Map.of());
      case "health_status" -> events.container("health_status: " + z.state().health().status(), z, ev.timeNano(),
          Map.of());
      default -> { }
    }
  }

  /** An event the front end itself causes (kill, stop, restart, attach). */
  public void event(String action, ZoneRecord r, Map<String, String> extra) {
    events.container(action, r, EventLog.now(), extra);
  }

  public Future<ZoneRecord> create(String account, JsonNode body, String name) {
    return create(account, body, name, true);
  }

  /** Creates a container; without {@code imageVolumes} its image's VOLUMEs are not mounted (build file steps). */
  public Future<ZoneRecord> create(String account, JsonNode body, String name, boolean imageVolumes) {
    return create(account, body, name, imageVolumes, null);
  }

  /** The same, for an image of {@code platform} when it is not null (create's platform parameter). */
  public Future<ZoneRecord> create(String account, JsonNode body, String name, boolean imageVolumes,
      org.sdcdocker.frontend.image.Platform platform) {
    return vertx.executeBlocking(() -> translator.translate(account, body, name, imageVolumes, platform), false).compose(t -> {
      ContainerSpec spec = t;
      for (int tries = 0; ; tries++) {
        try {
          index.reserveName(account, spec.name(), spec.id());
          break;
        } catch (DockerException taken) {
          if (name != null || tries == 20) {
            throw taken; // a name the client chose is its conflict; a generated one is drawn again
          }
          spec = spec.withName(org.sdcdocker.frontend.translate.Names.random());
        }
      }
      ContainerSpec chosen;
      String cn;
      Placed placed;
      try {
        List<String> from = org.sdcdocker.frontend.translate.CreateTranslator.strings(body.path("HostConfig").get("VolumesFrom"));
        if (from.isEmpty()) {
          chosen = spec;
          cn = place(spec.host().memory());
        } else if (from.size() > 1) {
          throw DockerException.invalid("only one container's volumes can be shared into a container here");
        } else {
          String[] f = from.get(0).split(":");
          ZoneRecord source = index.resolve(account, f[0]);
          boolean ro = f.length > 1 && f[1].equals("ro");
          List<VolumeRecords.MountSpec> mounts = new java.util.ArrayList<>(spec.mounts());
          for (VolumeRecords.MountSpec m : source.spec().mounts()) {
            // only the source's own volumes: not its host volumes, not what it took from others
            if (m.type().equals("volume") && m.from() == null
                && mounts.stream().noneMatch(x -> x.target().equals(m.target()))) {
              mounts.add(m.sharedFrom(source.spec().id(), ro));
            }
          }
          chosen = spec.withMounts(mounts);
          String sourceCn = source.cnUuid(); // the volumes' data is on that node: the new container goes there too
          cn = sourceCn;
          if (agents.live().stream().noneMatch(h -> h.cnUuid().equals(sourceCn))) {
            throw DockerException.unavailable("cannot create a container with --volumes-from %s: the compute node "
                + "that holds its volumes (%s) has no capacity for it (it is not available)", f[0], sourceCn);
          }
          long left = memoryLeft(sourceCn);
          if (spec.host().memory() > left) {
            throw DockerException.unavailable("cannot create a container with --volumes-from %s: the compute node "
                + "that holds its volumes (%s) has no capacity for it (%d MiB of memory left, %d MiB asked)", f[0],
                sourceCn, left >> 20, spec.host().memory() >> 20);
          }
        }
        placed = networkPeers(account, chosen, cn);
      } catch (RuntimeException e) {
        index.releaseName(account, spec.name());
        throw e;
      }
      return agents.<ZoneRecord>request(placed.cn(), "create", new AgentRequests.CreateZone(placed.spec(), blobSource),
          CREATE_MS)
          .onSuccess(index::put)
          .onFailure(e -> index.releaseName(account, placed.spec().name()));
    });
  }

  /**
   * The node's memory not yet promised to its containers: what it has less the memory limits of
   * every container it holds, running or not (a container's -m is reserved while it exists).
   */
  private long memoryLeft(String cnUuid) {
    long total = agents.live().stream().filter(h -> h.cnUuid().equals(cnUuid)).mapToLong(Heartbeat::memoryBytes)
        .findFirst().orElse(0);
    long promised = index.everything().stream().filter(r -> cnUuid.equals(r.cnUuid()))
        .mapToLong(r -> r.spec().host().memory()).sum();
    return total - promised;
  }

  /** The live node with the fewest zones among those with room for {@code memory} bytes. */
  private String place(long memory) {
    if (agents.live().isEmpty()) {
      return agents.place(); // says that no node is available
    }
    return agents.live().stream().filter(h -> memoryLeft(h.cnUuid()) >= memory)
        .min(java.util.Comparator.comparingInt(Heartbeat::zones)).map(Heartbeat::cnUuid)
        .orElseThrow(() -> DockerException.unavailable("no compute node has capacity for this container: it asks "
            + "for %d MiB of memory, the most any node has left is %d MiB", memory >> 20,
            agents.live().stream().mapToLong(h -> memoryLeft(h.cnUuid())).max().orElse(0) >> 20));
  }

  /** A spec and the node it goes to. */
  private record Placed(ContainerSpec spec, String cn) {}

  /**
   * Resolves the containers a spec's network names (links, {@code container:}) to ids; they must
   * share its node (a link or a shared namespace does not cross compute nodes here).
   */
  private Placed networkPeers(String account, ContainerSpec spec, String cn) {
    NetworkSpec n = spec.network();
    String peerCn = null;
    List<NetworkSpec.Link> links = new java.util.ArrayList<>();
    for (NetworkSpec.Link l : n.links()) {
      ZoneRecord t;
      try {
        t = index.resolve(account, l.name());
      } catch (DockerException e) {
        // as Docker's: a link to a missing container is the request's fault (400), not a 404
        throw new DockerException(e.kind() == ErrorKind.NOT_FOUND ? ErrorKind.INVALID_PARAMETER : e.kind(),
            "could not get container for " + l.name() + ": " + e.getMessage());
      }
      links.add(new NetworkSpec.Link(t.spec().id(), t.spec().name(), l.alias()));
      peerCn = samePeerNode(peerCn, t.cnUuid());
    }
    String mode = n.mode();
    if (n.sharesContainer()) {
      ZoneRecord t = index.resolve(account, mode.substring("container:".length()));
      mode = "container:" + t.spec().id();
      peerCn = samePeerNode(peerCn, t.cnUuid());
    }
    if (peerCn == null) {
      return new Placed(spec, cn);
    }
    if (!spec.mounts().stream().allMatch(m -> m.from() == null) && !peerCn.equals(cn)) {
      throw DockerException.unavailable("cannot create this container: its --volumes-from and its network peers "
          + "are on different compute nodes");
    }
    String chosenCn = peerCn;
    if (agents.live().stream().noneMatch(h -> h.cnUuid().equals(chosenCn))) {
      throw DockerException.unavailable("cannot create this container: the compute node of the containers it "
          + "links to (%s) has no capacity for it (it is not available)", chosenCn);
    }
    if (!chosenCn.equals(cn) && spec.host().memory() > memoryLeft(chosenCn)) {
      throw DockerException.unavailable("cannot create this container: the compute node of the containers it "
          + "links to (%s) has no capacity for it (%d MiB of memory left)", chosenCn, memoryLeft(chosenCn) >> 20);
    }
    NetworkSpec resolved = new NetworkSpec(mode, n.endpoints(), n.ports(), n.exposed(), n.publishAll(), n.dns(),
        n.dnsSearch(), n.dnsOptions(), n.extraHosts(), links);
    return new Placed(spec.withNetwork(resolved), peerCn);
  }

  private static String samePeerNode(String have, String next) {
    if (have != null && !have.equals(next)) {
      throw DockerException.unavailable("cannot create this container: the containers it links to are on "
          + "different compute nodes");
    }
    return next;
  }

  public List<ZoneRecord> list(String account) {
    return index.all(account);
  }

  public ZoneRecord get(String account, String ref) {
    return index.resolve(account, ref);
  }

  /** Starts; 304 when it runs already, as Docker. */
  public Future<Integer> start(String account, String ref) {
    ZoneRecord r = index.resolve(account, ref);
    if (r.state().running()) {
      return Future.succeededFuture(304);
    }
    return agents.<ZoneRecord>request(r.cnUuid(), "start", new AgentRequests.StartZone(r.spec().id()), SHORT_MS)
        .map(rec -> {
          index.put(rec);
          return 204;
        })
        .recover(e -> {
          if (r.spec().autoRemove()) { // as Docker: a --rm container that cannot start is removed
            agents.request(r.cnUuid(), "delete", new AgentRequests.DeleteZone(r.spec().id(), true, true), SHORT_MS)
                .onSuccess(v -> index.remove(r.spec().id()));
          }
          return Future.failedFuture(e);
        });
  }

  public Future<Void> kill(String account, String ref, int signal) {
    ZoneRecord r = index.resolve(account, ref);
    if (!r.state().running()) {
      return Future.failedFuture(notRunning(ref, r));
    }
    String id = r.spec().id();
    // as Docker's: a SIGKILL is answered once the container is no longer running
    Future<ZoneRecord> exited = signal == 9 ? index.when(id, c -> c.after() == null || !c.after().state().running())
        : null;
    return agents.<Object>request(r.cnUuid(), "kill", new AgentRequests.KillZone(id, signal, true), SHORT_MS)
        .recover(e -> Future.failedFuture(DockerException.of(e).kind() == ErrorKind.CONFLICT ? notRunning(ref, r) : e))
        .onSuccess(v -> event("kill", r, Map.of("signal", Integer.toString(signal))))
        .compose(v -> exited == null ? Future.succeededFuture()
            : exited.timeout(10, java.util.concurrent.TimeUnit.SECONDS).otherwiseEmpty())
        .mapEmpty();
  }

  private static DockerException notRunning(String ref, ZoneRecord r) {
    return DockerException.conflict("Cannot kill container: %s: container %s is not running", ref, r.spec().id());
  }

  /** A kill the agent refused because the zone had just exited: done, as far as a stop is concerned. */
  private static Future<Object> exitedAlready(Throwable e) {
    return DockerException.of(e).kind() == ErrorKind.CONFLICT ? Future.succeededFuture() : Future.failedFuture(e);
  }

  /** The signal, then SIGKILL after the timeout; 304 when it was not running. */
  public Future<Integer> stop(String account, String ref, int signal, int timeoutSeconds) {
    ZoneRecord r = index.resolve(account, ref);
    String id = r.spec().id();
    if (r.state().restarting()) {
      return agents.request(r.cnUuid(), "kill", new AgentRequests.KillZone(id, signal, true), SHORT_MS).map(x -> 204);
    }
    if (!r.state().running()) {
      return Future.succeededFuture(304);
    }
    Future<ZoneRecord> exited = index.when(id, c -> c.after() == null || !c.after().state().running());
    return agents.request(r.cnUuid(), "kill", new AgentRequests.KillZone(id, signal, true), SHORT_MS)
        .onSuccess(v -> event("kill", r, Map.of("signal", Integer.toString(signal))))
        .recover(ContainerBackend::exitedAlready)
        .compose(v -> timeoutSeconds < 0 ? exited : exited.timeout(Math.max(0, timeoutSeconds), java.util.concurrent.TimeUnit.SECONDS))
        .recover(e -> agents.request(r.cnUuid(), "kill", new AgentRequests.KillZone(id, 9, true), SHORT_MS)
            .onSuccess(v -> event("kill", r, Map.of("signal", "9")))
            .recover(ContainerBackend::exitedAlready)
            .compose(v -> exited))
        .onSuccess(x -> event("stop", r, Map.of()))
        .map(x -> 204);
  }

  /** Stop (when running), then start. */
  public Future<Void> restart(String account, String ref, int signal, int timeoutSeconds) {
    ZoneRecord r = index.resolve(account, ref);
    return stop(account, ref, signal, timeoutSeconds)
        .compose(code -> agents.<ZoneRecord>request(r.cnUuid(), "start", new AgentRequests.StartZone(r.spec().id()), SHORT_MS))
        .onSuccess(index::put)
        .onSuccess(rec -> event("restart", rec, Map.of()))
        .mapEmpty();
  }

  /** Freezes or thaws a running container. */
  public Future<Void> pause(String account, String ref, boolean pause) {
    ZoneRecord r = index.resolve(account, ref);
    if (!r.state().running()) {
      return Future.failedFuture(DockerException.conflict("Container %s is not running", r.spec().id()));
    }
    if (r.state().paused() == pause) {
      return Future.failedFuture(DockerException.conflict(pause ? "Container %s is already paused"
          : "Container %s is not paused", r.spec().id()));
    }
    return agents.<ZoneRecord>request(r.cnUuid(), "pause", new AgentRequests.PauseZone(r.spec().id(), pause), SHORT_MS)
        .onSuccess(index::put).mapEmpty();
  }

  public Future<AgentRequests.ChangeList> changes(String account, String ref) {
    ZoneRecord r = index.resolve(account, ref);
    return agents.request(r.cnUuid(), "changes", new AgentRequests.Changes(r.spec().id()), SHORT_MS);
  }

  public Future<AgentRequests.TopResult> top(String account, String ref, String psArgs) {
    ZoneRecord r = index.resolve(account, ref);
    return agents.<AgentRequests.TopResult>request(r.cnUuid(), "top", new AgentRequests.Top(r.spec().id(), psArgs),
        SHORT_MS).onSuccess(t -> event("top", r, Map.of()));
  }

  /** One sample; a container gone meanwhile is a failed future (stats is also called from a timer). */
  public Future<AgentRequests.StatsResult> stats(String account, String ref) {
    ZoneRecord r;
    try {
      r = index.resolve(account, ref);
    } catch (DockerException e) {
      return Future.failedFuture(e);
    }
    return agents.request(r.cnUuid(), "stats", new AgentRequests.Stats(r.spec().id()), SHORT_MS);
  }

  /** New limits or restart policy. */
  public Future<ZoneRecord> update(String account, String ref, AgentRequests.UpdateZone u) {
    ZoneRecord r = index.resolve(account, ref);
    AgentRequests.UpdateZone forZone = new AgentRequests.UpdateZone(r.spec().id(), u.memory(), u.memorySwap(),
        u.memoryReservation(), u.cpuShares(), u.nanoCpus(), u.pidsLimit(), u.restartPolicy());
    if (u.restartPolicy() != null && !u.restartPolicy().name().equals("no") && r.spec().autoRemove()) {
      return Future.failedFuture(DockerException.invalid("Restart policy cannot be updated because AutoRemove is enabled for the container"));
    }
    return agents.<ZoneRecord>request(r.cnUuid(), "update", forZone, SHORT_MS).onSuccess(index::put);
  }

  /** Removes every container of the account that does not run (and matches); their ids. */
  public Future<List<String>> prune(String account, java.util.function.Predicate<ZoneRecord> filter) {
    List<ZoneRecord> gone = index.all(account).stream()
        .filter(r -> !r.state().running() && !r.state().restarting()).filter(filter).toList();
    List<Future<String>> removals = gone.stream().map(r -> agents
        .request(r.cnUuid(), "delete", new AgentRequests.DeleteZone(r.spec().id(), false), SHORT_MS)
        .map(v -> {
          index.remove(r.spec().id());
          return r.spec().id();
        })).toList();
    return Future.join(removals).transform(ar -> Future.succeededFuture(
        removals.stream().filter(Future::succeeded).map(Future::result).toList()));
  }

  /** SizeRw and SizeRootFs of a container. */
  public Future<AgentRequests.SizesResult> sizes(ZoneRecord r) {
    return agents.request(r.cnUuid(), "sizes", new AgentRequests.Sizes(r.spec().id()), SHORT_MS);
  }

  /** The stat of a path inside the container, for docker cp. */
  public Future<AgentRequests.PathStat> statPath(ZoneRecord r, String path) {
    return agents.request(r.cnUuid(), "stat", new AgentRequests.StatPath(r.spec().id(), path), SHORT_MS);
  }

  /** Resizes a running container's TTY. */
  public Future<Void> resize(String account, String ref, int height, int width) {
    ZoneRecord r = index.resolve(account, ref);
    return agents.request(r.cnUuid(), "resize", new AgentRequests.ResizeZone(r.spec().id(), height, width), SHORT_MS)
        .onSuccess(v -> event("resize", r, Map.of("height", Integer.toString(height), "width",
            Integer.toString(width))))
        .mapEmpty();
  }

  /** Renames; the new name must be free within the account. */
  public Future<Void> rename(String account, String ref, String newName) {
    ZoneRecord r = index.resolve(account, ref);
    if (newName.equals(r.spec().name())) {
      return Future.failedFuture(DockerException.invalid("Renaming a container with the same name as its current name"));
    }
    index.reserveName(account, newName, r.spec().id());
    return agents.<ZoneRecord>request(r.cnUuid(), "rename", new AgentRequests.RenameZone(r.spec().id(), newName), SHORT_MS)
        .onSuccess(index::put)
        .onFailure(e -> index.releaseName(account, newName))
        .mapEmpty();
  }

  public Future<Void> remove(String account, String ref, boolean force) {
    return remove(account, ref, force, false);
  }

  /** Removes a container; with volumes, its anonymous volumes too (rm -v). */
  public Future<Void> remove(String account, String ref, boolean force, boolean volumes) {
    ZoneRecord r = index.resolve(account, ref);
    if (r.state().running() && !force) {
      return Future.failedFuture(DockerException.conflict("cannot remove container \"/%s\": container is running: "
          + "stop the container before removing or force remove", r.spec().name()));
    }
    List<String> sharers = index.all(account).stream()
        .filter(o -> o.spec().mounts().stream().anyMatch(m -> r.spec().id().equals(m.from())))
        .map(o -> o.spec().id()).toList();
    if (!sharers.isEmpty()) {
      return Future.failedFuture(DockerException.conflict("cannot remove container \"/%s\": its volumes are used by "
          + "container(s) %s through --volumes-from; remove those first", r.spec().name(), sharers));
    }
    if (r.state().restarting() && !force) {
      return Future.failedFuture(DockerException.conflict("cannot remove container \"/%s\": container is restarting: "
          + "stop the container before removing or force remove", r.spec().name()));
    }
    if (force && r.state().running()) {
      event("kill", r, Map.of("signal", "9"));
    }
    return agents.request(r.cnUuid(), "delete", new AgentRequests.DeleteZone(r.spec().id(), force, volumes), SHORT_MS)
        .onSuccess(v -> index.remove(r.spec().id()))
        .mapEmpty();
  }

  /** The container's changes as a layer made by its agent (docker commit); the zone frozen meanwhile when asked. */
  public Future<AgentRequests.CommitResult> commitLayer(ZoneRecord r, boolean pause) {
    return agents.request(r.cnUuid(), "commit", new AgentRequests.CommitZone(r.spec().id(), pause), CREATE_MS);
  }

  /** docker rm --link /PARENT/ALIAS: the parent forgets the link; no container is removed. */
  public Future<Void> unlink(String account, String linkName) {
    String name = linkName.startsWith("/") ? linkName : "/" + linkName;
    int slash = name.lastIndexOf('/');
    if (slash == 0) {
      return Future.failedFuture(DockerException.conflict("Conflict, cannot remove the default link name of the "
          + "container"));
    }
    String parentName = name.substring(1, slash);
    String alias = name.substring(slash + 1);
    ZoneRecord parent;
    try {
      parent = index.resolve(account, parentName);
    } catch (DockerException e) {
      return Future.failedFuture(DockerException.notFound("Cannot get parent /%s for link name %s", parentName, name));
    }
    if (parent.spec().network().links().stream().noneMatch(l -> l.alias().equals(alias))) {
      return Future.failedFuture(DockerException.notFound("No such container: %s", name));
    }
    return agents.<ZoneRecord>request(parent.cnUuid(), "unlink", new AgentRequests.Unlink(parent.spec().id(), alias),
        SHORT_MS).onSuccess(index::put).mapEmpty();
  }

  /** Docker's wait conditions: not-running (default), next-exit, removed. */
  public Future<ZoneRecord> waitFor(String account, String ref, String condition) {
    ZoneRecord r = index.resolve(account, ref);
    String id = r.spec().id();
    long gen = r.state().generation();
    return switch (condition) {
      case "not-running", "" -> r.state().running()
          ? index.when(id, c -> c.after() == null || !c.after().state().running())
          : Future.succeededFuture(r);
      case "next-exit" -> index.when(id, c -> c.after() == null || (ended(c.after()) && c.before() != null
          && (c.after().state().generation() > gen || r.state().running()) && !ended(c.before())));
      case "removed" -> index.when(id, c -> c.after() == null);
      default -> throw DockerException.invalid("invalid condition: \"%s\"", condition);
    };
  }

  /** A run's end: exited, or waiting out a restart policy's delay. */
  private static boolean ended(ZoneRecord r) {
    return "exited".equals(r.state().status()) || r.state().restarting();
  }

  /** A one-time URL of the zone's stream on its agent. */
  public Future<String> streamTicket(ZoneRecord r, String kind, String query) {
    return agents.<Ticket>request(r.cnUuid(), "stream", new AgentRequests.StreamTicket(r.spec().id(), kind, query), SHORT_MS)
        .map(Ticket::url);
  }

  /** Every spec of the index, for the system counts. */
  List<ContainerSpec> specs() {
    return index.everything().stream().map(ZoneRecord::spec).toList();
  }
}
