package org.sdcdocker.agent.server;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.shareddata.Lock;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.sdcdocker.agent.exec.ExecLauncher;
import org.sdcdocker.agent.exec.HealthMonitor;
import org.sdcdocker.agent.image.LayerCache;
import org.sdcdocker.agent.image.RootUntar;
import org.sdcdocker.agent.net.FabricLinks;
import org.sdcdocker.agent.net.FabricTunnel;
import org.sdcdocker.agent.net.FleetLookups;
import org.sdcdocker.agent.runtime.ContainerRuntime;
import org.sdcdocker.agent.runtime.OciRuntime;
import org.sdcdocker.agent.stream.StreamServer;
import org.sdcdocker.agent.zone.ArchiveOps;
import org.sdcdocker.agent.zone.LinuxZoneBackend;
import org.sdcdocker.agent.zone.UrlPolicy;
import org.sdcdocker.agent.zone.ZoneCommit;
import org.sdcdocker.agent.zone.ZoneConnections;
import org.sdcdocker.agent.zone.ZoneControls;
import org.sdcdocker.agent.zone.ZoneQueries;
import org.sdcdocker.bus.AgentBus;
import org.sdcdocker.bus.ProtocolCodec;
import org.sdcdocker.protocol.DockerException;
import org.sdcdocker.protocol.agent.Addresses;
import org.sdcdocker.protocol.agent.AgentEvents.Heartbeat;
import org.sdcdocker.protocol.agent.AgentRequest;
import org.sdcdocker.protocol.agent.AgentRequests;
import org.sdcdocker.protocol.agent.AgentRequests.Ack;
import org.sdcdocker.protocol.agent.FrontendRequests;
import org.sdcdocker.protocol.agent.NetworkRecords;
import org.sdcdocker.protocol.agent.Verb;
import org.sdcdocker.protocol.agent.Verbs;
import org.sdcdocker.protocol.agent.VolumeRecords;
import org.sdcdocker.protocol.agent.ZoneRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One compute node's agent: answers the front end's requests on {@code cn.<uuid>.<verb>} (each once
 * the front ends have the zone events it made), publishes heartbeats, and serves zone byte streams
 * on its data-plane server.
 *
 * <p>Why it is long: it wires the agent: the helpers it installs, and one line or a few per verb of
 * Verbs (32), each handing the request to the class that does it.
 */
public final class AgentVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(AgentVerticle.class);

  /** Front ends call a node unknown after 7 s without one (three missed, and a second). */
  private static final long HEARTBEAT_MS = 2000;

  private static final long CN_LOCK_MS = 30_000;

  private final AgentConfig config;
  private String cnUuid;
  private LinuxZoneBackend zones;
  private ExecLauncher execs;
  private volatile HealthMonitor health;
  private ZoneQueries queries;
  private StreamServer streams;
  private ExitWatcher exits;
  private Path stdinRelay;
  private RootUntar untar;
  private ContainerRuntime runtime;
  private final List<MessageConsumer<?>> consumers = new ArrayList<>();

  /** This run of the agent: a front end that sees it change lists the node's zones again. */
  private final String incarnation;

  private FileLock dataRootLock;
  private Lock cnLock;
  private volatile FabricLinks fabric;
  private ZoneEventDelivery delivery;

  public AgentVerticle(AgentConfig config) {
    this(config, UUID.randomUUID().toString(), null);
  }

  /**
   * An agent whose run is named {@code incarnation} (a fleet member names it in the cluster), on a
   * data root whose {@link #lockDataRoot lock} it holds already (or null: taken at start).
   */
  public AgentVerticle(AgentConfig config, String incarnation, FileLock dataRootLock) {
    this.config = config;
    this.incarnation = incarnation;
    this.dataRootLock = dataRootLock;
  }

  /** The compute-node UUID kept in a data root (made there the first time). */
  public static String cnUuidOf(Path dataRoot) throws IOException {
    Files.createDirectories(dataRoot);
    return HostFacts.cnUuid(dataRoot);
  }

  /** This agent's compute-node UUID, once started. */
  public String cnUuid() {
    return cnUuid;
  }

  @Override
  public Future<?> start() {
    ProtocolCodec.installOnce(vertx.eventBus());
    return vertx
        .executeBlocking(this::lockDataRoot)
        .onSuccess(v -> openLinks())
        .compose(v -> lockComputeNode())
        .compose(v -> vertx.executeBlocking(this::prepare))
        .compose(
            v -> {
              streams =
                  new StreamServer(
                      vertx, zones, execs, config.streamHost(), stdinRelay, untar, config.tls());
              return streams.listen();
            })
        .compose(
            server -> {
              registerHandlers(vertx.eventBus());
              // in a cluster a registration takes a moment to reach every member: heartbeats,
              // which make front ends send requests, begin once every handler is known
              return Future.all(consumers.stream().map(MessageConsumer::completion).toList())
                  .map(server);
            })
        .map(
            server -> {
              exits.start();
              vertx.setPeriodic(HEARTBEAT_MS, t -> heartbeat());
              heartbeat();
              if (fabric != null) { // every other node's heartbeat now: the tunnels' peers
                vertx.eventBus().publish(Addresses.HELLO, "hello");
              }
              return server;
            });
  }

  /**
   * In a fleet, has the front ends make their event-bus links with this node while it prepares: the
   * first heartbeat and the list of its zones then find them made.
   */
  private void openLinks() {
    if (!vertx.isClustered()) {
      return;
    }
    MessageConsumer<Object> link =
        vertx.eventBus().consumer(Addresses.nodeLink(cnUuid), m -> m.reply(null));
    consumers.add(link);
    link.completion().onSuccess(x -> vertx.eventBus().publish(Addresses.NODE_JOINING, cnUuid));
  }

  /** One agent per data root: a second one started on it refuses to run. */
  private Void lockDataRoot() throws IOException {
    if (dataRootLock == null) {
      dataRootLock = lockDataRoot(config.dataRoot());
    }
    cnUuid = HostFacts.cnUuid(config.dataRoot());
    return null;
  }

  /**
   * The lock that keeps one agent on a data root, held until the agent stops; a fleet's agent takes
   * it before it joins the cluster, so that a second one refuses at once and never joins.
   */
  public static FileLock lockDataRoot(Path dataRoot) throws IOException {
    Files.createDirectories(dataRoot);
    FileChannel channel =
        FileChannel.open(
            dataRoot.resolve("agent.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (OverlappingFileLockException sameJvm) {
      lock = null;
    }
    if (lock == null) {
      channel.close();
      throw new IllegalStateException(
          "another agent runs on the data root " + dataRoot + "; one agent per data root");
    }
    return lock;
  }

  /**
   * In a cluster, the lock on this compute node's id: a second agent with a copy of this data root
   * on another machine waits, then refuses. A dead holder's lock goes when it leaves the cluster.
   */
  private Future<Void> lockComputeNode() {
    if (!vertx.isClustered()) {
      return Future.succeededFuture();
    }
    return vertx
        .sharedData()
        .getLockWithTimeout("sdc.cn." + cnUuid, CN_LOCK_MS)
        .recover(
            e ->
                Future.failedFuture(
                    new IllegalStateException(
                        "another agent holds compute node "
                            + cnUuid
                            + " in the cluster (waited "
                            + CN_LOCK_MS / 1000
                            + " s)")))
        .map(
            lock -> {
              cnLock = lock;
              return null;
            });
  }

  private Void prepare() throws IOException {
    Path root = config.dataRoot();
    delivery = new ZoneEventDelivery(vertx);
    Path nativeDir = installNative(root);
    stdinRelay = installStdinRelay(root);
    untar = new RootUntar(installHelper(root, "root-untar"));
    LayerCache layers = new LayerCache(root.resolve("layers"), untar, config.tls());
    runtime =
        new OciRuntime(
            config.runtime(),
            config.conmon(),
            root.resolve("runc"),
            root.resolve("exits"),
            root.resolve("s"));
    zones =
        new LinuxZoneBackend(
            cnUuid,
            root,
            layers,
            runtime,
            nativeDir,
            ev -> {
              delivery.deliver(ev);
              if (health != null) {
                health.onEvent(ev);
              }
              if (ev.action().equals("destroy") && execs != null) {
                execs.forgetZone(ev.zone().spec().id()); // also after an AutoRemove
              }
            },
            config.networkPool(),
            UrlPolicy.of(config.urlVolumeAllow()));
    execs =
        new ExecLauncher(
            zones, runtime, installHelper(root, "zone-enter"), ev -> delivery.deliver(ev));
    runtime.beforeDelete(execs::zoneEnding);
    if (vertx.isClustered()) { // this node's end of the fleet's fabric, before zones are adopted
      fabric =
          new FabricLinks(
              config.streamHost(),
              new FabricTunnel(List.of()),
              () -> vertx.runOnContext(v -> heartbeat()));
      zones.network().fleet(fabric, new BusLookups());
    }
    zones.recover(HostFacts.rebooted(root, config.bootIdFile()));
    exits = new ExitWatcher(runtime.exitDir(), zones);
    health = new HealthMonitor(zones, execs);
    health.adopt(zones.list());
    queries = new ZoneQueries(zones, layers, execs::helperPids);
    return null;
  }

  /** The read-only tree every zone sees at /native: dockerinit and the zonecontrol mount point. */
  private Path installNative(Path root) throws IOException {
    Path nativeDir = root.resolve("native");
    Path sbin = nativeDir.resolve("usr/vm/sbin");
    Files.createDirectories(sbin);
    Files.createDirectories(nativeDir.resolve(".zonecontrol"));
    Path tmp = sbin.resolve("dockerinit.tmp");
    Files.copy(config.dockerinit(), tmp, StandardCopyOption.REPLACE_EXISTING);
    tmp.toFile().setExecutable(true, false);
    Files.move(
        tmp,
        sbin.resolve("dockerinit"),
        StandardCopyOption.REPLACE_EXISTING,
        StandardCopyOption.ATOMIC_MOVE);
    return nativeDir;
  }

  /**
   * The StdinOnce zones' stdin relay, beside dockerinit in the build, kept in the data root (host
   * side).
   */
  private Path installStdinRelay(Path root) throws IOException {
    if (!Files.isExecutable(config.dockerinit().resolveSibling("stdin-relay"))) {
      return null; // without it, a StdinOnce zone's input ends when the agent does
    }
    return installHelper(root, "stdin-relay");
  }

  /** A host-side helper built beside dockerinit, copied into the data root's libexec. */
  private Path installHelper(Path root, String name) throws IOException {
    Path from = config.dockerinit().resolveSibling(name);
    Path dir = root.resolve("libexec");
    Files.createDirectories(dir);
    Path tmp = dir.resolve(name + ".tmp");
    Files.copy(from, tmp, StandardCopyOption.REPLACE_EXISTING);
    tmp.toFile().setExecutable(true, false);
    Files.move(
        tmp,
        dir.resolve(name),
        StandardCopyOption.REPLACE_EXISTING,
        StandardCopyOption.ATOMIC_MOVE);
    return dir.resolve(name);
  }

  private void registerHandlers(EventBus bus) {
    on(Verbs.CREATE, r -> zones.create(r.spec(), r.blobSource()));
    on(Verbs.START, r -> zones.start(r.id()));
    on(
        Verbs.KILL,
        r -> {
          zones.kill(r.id(), r.signal(), r.manual());
          return new Ack();
        });
    var controls = new ZoneControls(zones, runtime);
    on(Verbs.PAUSE, r -> controls.pause(r.id(), r.pause()));
    on(Verbs.RENAME, r -> controls.rename(r.id(), r.name()));
    on(Verbs.UNLINK, r -> controls.unlink(r.id(), r.alias()));
    var commits = new ZoneCommit(zones, runtime);
    on(
        Verbs.COMMIT,
        r -> {
          var made = commits.commit(r.id(), r.pause());
          String url =
              streams
                  .issue(
                      new AgentRequests.StreamTicket(r.id(), "commit-layer", "file=" + made.file()))
                  .url();
          return new AgentRequests.CommitResult(made.digest(), made.diffId(), made.size(), url);
        });
    on(Verbs.CHANGES, r -> queries.changes(r.id()));
    on(Verbs.TOP, r -> queries.top(r.id(), r.psArgs()));
    on(Verbs.STATS, r -> queries.stats(r.id()));
    on(Verbs.SIZES, r -> queries.sizes(r.id()));
    on(Verbs.WHERE, r -> queries.where(r.id()));
    on(
        Verbs.STAT,
        r ->
            zones.withPath(
                r.id(), r.path(), (root, path, name) -> ArchiveOps.stat(root, path, name)));
    on(
        Verbs.UPDATE,
        r -> {
          if (r.pidsLimit() > 0) {
            execs.dropStandby(r.id()); // the limit counts the container's own processes
          }
          return controls.update(r);
        });
    on(
        Verbs.RESIZE,
        r -> {
          controls.resize(r.id(), r.height(), r.width());
          return new Ack();
        });
    on(Verbs.EXEC_CREATE, r -> execs.create(r));
    on(Verbs.EXEC_START, r -> execs.startDetached(r.execId()));
    on(Verbs.EXEC_INSPECT, r -> execs.inspect(r.execId()));
    on(
        Verbs.EXEC_RESIZE,
        r -> {
          execs.resize(r.execId(), r.height(), r.width());
          return new Ack();
        });
    on(
        Verbs.VOLUME_CREATE,
        r -> zones.volumes().ensure(r.owner(), r.name(), r.labels(), r.anonymous()));
    on(
        Verbs.VOLUME_LIST,
        r ->
            new VolumeRecords.VolumeList(
                zones.volumes().list(r.owner()).stream()
                    .map(v -> new VolumeRecords.VolumeUse(v, zones.usersOf(r.owner(), v.name())))
                    .toList()));
    on(
        Verbs.VOLUME_SIZES,
        r -> {
          Map<String, Long> sizes = new HashMap<>();
          for (var v : zones.volumes().list(r.owner())) {
            try (var walk = Files.walk(Path.of(v.mountpoint()))) {
              sizes.put(
                  v.name(),
                  walk.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum());
            }
          }
          return new VolumeRecords.SizeMap(sizes);
        });
    on(
        Verbs.VOLUME_REMOVE,
        r -> {
          var users = zones.usersOf(r.owner(), r.name());
          if (!users.isEmpty()) {
            throw DockerException.conflict("remove %s: volume is in use - %s", r.name(), users);
          }
          zones.volumes().remove(r.owner(), r.name());
          return new Ack();
        });
    registerNetworkHandlers(bus);
    on(
        Verbs.DELETE,
        r -> {
          execs.forgetZone(r.id());
          zones.delete(r.id(), r.force(), r.volumes());
          return new Ack();
        });
    on(Verbs.LIST, r -> AgentRequests.ZoneList.answering(r, zones.list()));
    on(
        Verbs.RESERVE,
        r -> {
          Path mark = config.dataRoot().resolve("reserved");
          if (r.reserved()) {
            Files.writeString(mark, "no new containers on this node\n");
          } else {
            Files.deleteIfExists(mark);
          }
          vertx.runOnContext(v -> heartbeat()); // every front end knows at once
          return new AgentRequests.Ack();
        });
    on(Verbs.STREAM, r -> streams.issue(r));
    consumers.add(
        bus.<String>consumer(
            Addresses.HELLO,
            m -> {
              String from = m.body();
              if (vertx.isClustered() && from != null && !from.equals("hello")) {
                // a starting front end, at its own address; the others have this node already
                bus.send(Addresses.heartbeatsOf(from), heartbeatNow());
              } else {
                heartbeat(); // the embedded default's front end, or another node (the fabric)
              }
            }));
    if (fabric != null) { // the other nodes' ends of the fabric, from their heartbeats
      consumers.add(
          bus.<Heartbeat>consumer(
              Addresses.HEARTBEAT,
              m ->
                  vertx.executeBlocking(
                      () -> {
                        fabric.heard(cnUuid, m.body());
                        return null;
                      },
                      true)));
      consumers.add(
          bus.<String>consumer(
              Addresses.FRONTEND_FORGET_NODE,
              m ->
                  vertx.executeBlocking(
                      () -> {
                        fabric.forget(m.body());
                        return null;
                      },
                      true)));
    }
  }

  private void registerNetworkHandlers(EventBus bus) {
    var connections = new ZoneConnections(zones);
    var net = zones.network();
    on(Verbs.NETWORK_CREATE, r -> net.networks().create(r));
    on(
        Verbs.NETWORK_LIST,
        r ->
            new NetworkRecords.NetworkList(
                net.networks().list(r.owner()).stream()
                    .map(n -> new NetworkRecords.NetworkUse(n, net.members(n.id())))
                    .toList()));
    on(
        Verbs.NETWORK_REMOVE,
        r -> {
          net.remove(net.networks().resolve(r.owner(), r.id()));
          return new Ack();
        });
    on(Verbs.NETWORK_CONNECT, r -> connections.connect(r.zoneId(), r.endpoint()));
    on(Verbs.NETWORK_DISCONNECT, r -> connections.disconnect(r.zoneId(), r.network(), r.force()));
  }

  /** Answers one verb: its work runs on a worker thread; failures travel back with their kind. */
  private <Q extends AgentRequest<R>, R extends Record> void on(
      Verb<Q, R> verb, AgentBus.Work<Q, R> work) {
    consumers.add(
        AgentBus.serve(vertx, cnUuid, verb, work, AgentVerticle::replyFor, delivery::settled));
  }

  /**
   * What a failure tells the front end: a DockerException as it is; anything else (a bug, or a
   * system call's text with host paths in it) only as an internal error, logged here in full.
   */
  static DockerException replyFor(String verb, Throwable e) {
    if (e instanceof DockerException d) {
      return d;
    }
    String ref = Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 16);
    LOG.error("error {} in {}", ref, verb, e);
    return DockerException.internal(
        "the compute node failed to %s (error %s in its log)%s",
        verb, ref, DockerException.noSpace(e) ? ": no space left on device" : "");
  }

  /** The front ends' answers about other nodes, over the bus (2 s at most each). */
  private final class BusLookups implements FleetLookups {
    private static final long ASK_MS = 2000;

    @Override
    public String name(String networkId, String askingZoneId, String name) {
      FrontendRequests.FoundName f =
          ask(new FrontendRequests.LookupName(networkId, askingZoneId, name));
      return f == null ? null : f.ip();
    }

    @Override
    public ZoneRecord zone(String owner, String zoneId) {
      FrontendRequests.FoundZone f = ask(new FrontendRequests.LookupZone(owner, zoneId));
      return f == null ? null : f.zone();
    }

    private <T> T ask(Record question) {
      try {
        return vertx
            .eventBus()
            .<T>request(
                Addresses.FRONTEND_LOOKUP, question, new DeliveryOptions().setSendTimeout(ASK_MS))
            .map(io.vertx.core.eventbus.Message::body)
            .toCompletionStage()
            .toCompletableFuture()
            .get(ASK_MS + 500, TimeUnit.MILLISECONDS);
      } catch (ExecutionException | TimeoutException e) {
        return null; // no front end answered: what this node knows is all there is
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return null;
      }
    }
  }

  private void heartbeat() {
    vertx.eventBus().publish(Addresses.HEARTBEAT, heartbeatNow());
  }

  private Heartbeat heartbeatNow() {
    List<ZoneRecord> all = zones.list();
    int running = (int) all.stream().filter(z -> z.state().running()).count();
    return new Heartbeat(
        cnUuid,
        HostFacts.hostname(),
        "linux",
        all.size(),
        running,
        Runtime.getRuntime().availableProcessors(),
        HostFacts.memoryBytes(),
        HostFacts.kernel(),
        HostFacts.operatingSystem(),
        incarnation,
        Files.exists(config.dataRoot().resolve("reserved")),
        fabric == null ? null : fabric.address(),
        fabric == null ? List.of() : fabric.carried());
  }

  @Override
  public Future<?> stop() {
    try {
      if (streams != null) {
        streams.close();
      }
      if (health != null) {
        health.close();
      }
      if (exits != null) {
        exits.close();
      }
      if (zones != null) {
        zones.network().close();
      }
      if (execs != null) {
        execs.close();
      }
      if (dataRootLock != null) {
        dataRootLock.channel().close(); // releases the lock
      }
    } catch (IOException ignored) {
      // closing a watch cannot usefully fail
    }
    if (cnLock != null) {
      cnLock.release();
    }
    return Future.succeededFuture();
  }
}
