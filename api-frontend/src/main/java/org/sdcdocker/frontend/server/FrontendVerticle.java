package org.sdcdocker.frontend.server;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.sdcdocker.bus.Members;
import org.sdcdocker.bus.ProtocolCodec;
import org.sdcdocker.frontend.account.Account;
import org.sdcdocker.frontend.account.AccountStore;
import org.sdcdocker.frontend.account.Authenticator;
import org.sdcdocker.frontend.account.Certificates;
import org.sdcdocker.frontend.account.PackageStore;
import org.sdcdocker.frontend.account.ResourcePackage;
import org.sdcdocker.frontend.builder.BuildService;
import org.sdcdocker.frontend.cluster.AgentDirectory;
import org.sdcdocker.frontend.cluster.ContainerBackend;
import org.sdcdocker.frontend.cluster.ContainerIndex;
import org.sdcdocker.frontend.cluster.EventJournal;
import org.sdcdocker.frontend.cluster.EventLog;
import org.sdcdocker.frontend.cluster.ExecBackend;
import org.sdcdocker.frontend.cluster.FleetNetworks;
import org.sdcdocker.frontend.cluster.NetworkBackend;
import org.sdcdocker.frontend.cluster.SentConfigs;
import org.sdcdocker.frontend.cluster.VersionedReplica;
import org.sdcdocker.frontend.cluster.VolumeBackend;
import org.sdcdocker.frontend.endpoint.ArchiveEndpoint;
import org.sdcdocker.frontend.endpoint.BuildEndpoint;
import org.sdcdocker.frontend.endpoint.CommitEndpoint;
import org.sdcdocker.frontend.endpoint.ContainerInfoEndpoint;
import org.sdcdocker.frontend.endpoint.ContainerStreamsEndpoint;
import org.sdcdocker.frontend.endpoint.ContainersEndpoint;
import org.sdcdocker.frontend.endpoint.DiskUsageEndpoint;
import org.sdcdocker.frontend.endpoint.EventsEndpoint;
import org.sdcdocker.frontend.endpoint.ExecEndpoint;
import org.sdcdocker.frontend.endpoint.ImageArchiveEndpoint;
import org.sdcdocker.frontend.endpoint.ImageTagsEndpoint;
import org.sdcdocker.frontend.endpoint.ImageTransfersEndpoint;
import org.sdcdocker.frontend.endpoint.ImagesEndpoint;
import org.sdcdocker.frontend.endpoint.NetworksEndpoint;
import org.sdcdocker.frontend.endpoint.SystemEndpoint;
import org.sdcdocker.frontend.endpoint.VolumesEndpoint;
import org.sdcdocker.frontend.http.ApiVersion;
import org.sdcdocker.frontend.http.HijackablePost;
import org.sdcdocker.frontend.http.Http;
import org.sdcdocker.frontend.image.BlobStore;
import org.sdcdocker.frontend.image.ImageArchive;
import org.sdcdocker.frontend.image.ImageReplica;
import org.sdcdocker.frontend.image.ImageStore;
import org.sdcdocker.frontend.image.PullTask;
import org.sdcdocker.frontend.translate.CreateTranslator;
import org.sdcdocker.frontend.translate.MountsTranslator;
import org.sdcdocker.protocol.Digest;
import org.sdcdocker.protocol.DockerException;
import org.sdcdocker.protocol.agent.Addresses;
import org.sdcdocker.protocol.agent.AgentEvents.Heartbeat;
import org.sdcdocker.protocol.agent.AgentEvents.ZoneEvent;
import org.sdcdocker.protocol.agent.FrontendEvents;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Docker Engine API front end: the API on every configured host, and the image service's blob
 * endpoint that agents fetch layers from. Its container index is rebuilt from the agents. It starts
 * in stages: its stores from disk, the blob endpoint, the backends wired to the bus, the router,
 * the listeners.
 *
 * <p>Why it is long: it is where the front end's parts meet (each stage is a short method), and it
 * owns the listeners' edge: which hosts may be served, /_ping and /ca.pem before authentication,
 * the version prefix, and certificate reloads.
 */
public final class FrontendVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(FrontendVerticle.class);

  /**
   * Local address where the cluster membership says a compute node's agent left the cluster ("UUID
   * INCARNATION"): unless a later run of that agent is heard already, the front end stops asking
   * the node at once.
   */
  public static final String AGENT_LEFT = "frontend.local.agent-left";

  /** Where the launcher tells this front end another one left the cluster: its member id. */
  public static final String FRONTEND_LEFT = "frontend.local.frontend-left";

  private final FrontendConfig config;
  private final List<HttpServer> servers = new ArrayList<>();
  private final List<HttpServer> tlsServers = new CopyOnWriteArrayList<>();
  private volatile SentConfigs sent;
  private volatile ImageReplica replica;
  private volatile Future<Void> imagesCopied;

  /** Once this front end asked the nodes for their heartbeats (its addresses registered). */
  private volatile Future<Void> helloSent;

  private volatile AccountStore accounts;
  private volatile PackageStore packages;
  private volatile FleetNetworks fleetNetworks;
  private volatile EventJournal journal;
  private final List<FrontendEvents.DockerEvent> journaled = new ArrayList<>();
  private volatile ApiTls apiTls;

  public FrontendVerticle(FrontendConfig config) {
    this.config = config;
  }

  /** The front end's parts once wired: what the endpoints and the admin listener are given. */
  private record Services(
      ImageStore images,
      ContainerBackend containers,
      ExecBackend execs,
      VolumeBackend volumes,
      NetworkBackend networks,
      EventLog events,
      CreateTranslator translator) {}

  @Override
  public Future<?> stop() {
    if (replica != null) {
      replica.close();
    }
    return Future.succeededFuture();
  }

  @Override
  public Future<?> start() {
    ProtocolCodec.installOnce(vertx.eventBus());
    for (String h : config.hosts()) {
      checkHost(h, config.apiTls() != null);
    }
    return vertx
        .executeBlocking(this::loadStores)
        .compose(images -> serveBlobs(images.blobs()).map(blobs -> wire(images, blobs)))
        .compose(services -> services.execs().load().map(services))
        .compose(
            services ->
                router(services)
                    .compose(
                        router ->
                            Future.join(
                                    imagesCopied(),
                                    // the wait for the nodes' first heartbeats begins once they
                                    // were asked for: registrations can take seconds while the
                                    // cluster's partitions move to a front end that joined
                                    helloSent
                                        .timeout(LISTS_BEFORE_SERVING_MS, TimeUnit.MILLISECONDS)
                                        .otherwiseEmpty()
                                        .compose(
                                            v ->
                                                services
                                                    .containers()
                                                    .fleet()
                                                    .listedAtStart(LISTS_BEFORE_SERVING_MS)))
                                .compose(v -> listenAll(router, services))));
  }

  /** How long a starting front end waits for the nodes' lists of their containers, at most. */
  static final long LISTS_BEFORE_SERVING_MS = 60_000;

  /** How often a front end that copies a running one's images says how far it is. */
  private static final long COPY_PROGRESS_MS = 30_000;

  /**
   * Once this front end holds the images a running one had when it started (their records and
   * blobs), however long that takes: a front end that served earlier would answer "No such image"
   * for an image the others hold (the others serve meanwhile, and their changes do not wait for the
   * copy). A copy that failed for good (ImageReplica tries five times) is served without, as the
   * log says.
   */
  private Future<Void> imagesCopied() {
    long progress =
        vertx.setPeriodic(
            COPY_PROGRESS_MS,
            t -> {
              String done = replica.copyProgress();
              if (done != null) {
                LOG.info(
                    "not serving yet: copying the images of a running front end, {} so far", done);
              }
            });
    return imagesCopied.otherwiseEmpty().onComplete(v -> vertx.cancelTimer(progress));
  }

  /** What this front end keeps on its disk. Blocking. */
  private ImageStore loadStores() throws IOException {
    sent = SentConfigs.load(vertx, config.dataRoot().resolve("sent-configs"));
    accounts = AccountStore.load(config.dataRoot().resolve("accounts"));
    packages = PackageStore.load(config.dataRoot().resolve("packages"));
    fleetNetworks =
        FleetNetworks.load(vertx.isClustered() ? config.dataRoot().resolve("networks") : null);
    if (vertx
        .isClustered()) { // a whole fleet restarted still has its events; serve, as dockerd, not
      journal = EventJournal.open(config.dataRoot().resolve("events.jsonl"), journaled);
    }
    if (config.apiTls() != null) {
      apiTls = ApiTls.prepare(config.apiTls(), config.dataRoot().resolve("tls"), config.hosts());
    }
    BlobStore blobs = new BlobStore(config.dataRoot().resolve("blobs"));
    return new ImageStore(config.dataRoot(), blobs);
  }

  /**
   * The backends over the event bus, and what keeps them current: the other front ends' images,
   * accounts and sent configs, and the agents' heartbeats and events.
   */
  private Services wire(ImageStore images, HttpServer blobServer) {
    String blobSource =
        (config.tls() == null ? "http://" : "https://")
            + config.imageServiceHost()
            + ":"
            + blobServer.actualPort();
    if (config.tls() != null) { // where members fetch layers from
      LOG.info("blob endpoint at {}", blobSource);
    }
    replica = new ImageReplica(vertx, images, blobSource, config.tls());
    imagesCopied = replica.start();
    vertx.eventBus().<String>localConsumer(FRONTEND_LEFT, m -> replica.frontEndLeft(m.body()));
    sent.syncWithCluster(); // meanwhile inspect reads the map on demand
    new VersionedReplica<>(
            vertx, "sdc.accounts", Addresses.FRONTEND_ACCOUNTS, accounts, Account.class)
        .start();
    new VersionedReplica<>(
            vertx, "sdc.packages", Addresses.FRONTEND_PACKAGES, packages, ResourcePackage.class)
        .start();
    AgentDirectory agents = new AgentDirectory(vertx);
    vertx
        .eventBus()
        .<String>localConsumer(
            AGENT_LEFT,
            m -> {
              String[] f = m.body().split(" ", 2);
              agents.left(f[0], f.length > 1 ? f[1] : "");
            });
    ContainerIndex index = new ContainerIndex();
    EventLog events = sharedEvents();
    var rules =
        new MountsTranslator.Rules(
            config.allowHostBinds(),
            config.maxDataVolumes(),
            config.maxVolumesFrom(),
            config.maxUrlVolumes());
    ContainerBackend containers =
        new ContainerBackend(
            vertx, agents, index, blobSource, events, sent, config.fabricPool(), fleetNetworks);
    containers.networks().followFleet();
    containers.networks().answerLookups();
    var bus = vertx.eventBus();
    Handler<Message<Heartbeat>> heartbeat = m -> containers.fleet().onHeartbeat(m.body());
    MessageConsumer<Heartbeat> beats = bus.consumer(Addresses.HEARTBEAT, heartbeat);
    bus.<String>consumer(
        Addresses.FRONTEND_FORGET_NODE, m -> containers.fleet().onNodeForgotten(m.body()));
    ExecBackend execs = new ExecBackend(vertx, agents, index, events);
    Handler<Message<ZoneEvent>> zoneEvent =
        m -> {
          containers.fleet().onZoneEvent(m.body());
          if (m.body().action().equals("destroy")) {
            execs.forgetContainer(m.body().zone().spec().id());
          }
          m.reply(null); // a fleet's node answers its request once every front end said so
        };
    bus.consumer(Addresses.ZONE_EVENTS, zoneEvent); // the embedded default's agent publishes
    if (vertx.isClustered()) {
      // a node that joins has the links made both ways while it prepares (its answer is nothing)
      bus.<String>consumer(
          Addresses.NODE_JOINING,
          m ->
              bus.request(
                  Addresses.nodeLink(m.body()), null, new DeliveryOptions().setSendTimeout(5_000)));
      // a fleet's nodes send their zone events, and the heartbeats HELLO asks for, to this front
      // end's own addresses (a heartbeat published reaches it only once each node's route has it);
      // HELLO goes out once they are registered, so each zone is in a node's list or an event
      String me = ((VertxInternal) vertx).clusterManager().getNodeId();
      helloSent =
          Future.join(
                  beats.completion(),
                  bus.consumer(Addresses.heartbeatsOf(me), heartbeat).completion(),
                  bus.consumer(Addresses.zoneEventsOf(me), zoneEvent).completion())
              .otherwiseEmpty() // the nodes are asked all the same
              .map(
                  x -> {
                    bus.publish(Addresses.HELLO, me);
                    return null;
                  });
    } else {
      bus.publish(Addresses.HELLO, "hello");
      helloSent = Future.succeededFuture();
    }
    return new Services(
        images,
        containers,
        execs,
        containers.volumes(),
        containers.networks(),
        events,
        new CreateTranslator(images, rules, packages));
  }

  /** Every endpoint of the API, behind the version check and (with TLS) the tenants' check. */
  private Future<Router> router(Services s) {
    Router router = Router.router(vertx);
    router.route().handler(Http::traced);
    router.route().handler(this::checkVersion);
    if (apiTls != null) {
      router.route().handler(new TenantAuth(new Authenticator(accounts, apiTls::ca), accounts));
    }
    var containers = s.containers();
    var images = s.images();
    var events = s.events();
    new SystemEndpoint(containers, images, config.datacenter()).mount(router);
    new ImageTagsEndpoint(vertx, images, containers, events).mount(router);
    Path scratch = config.dataRoot().resolve("scratch");
    try {
      new ImageArchiveEndpoint(vertx, images, new ImageArchive(images, scratch), scratch, events)
          .mount(router);
    } catch (IOException e) {
      return Future.failedFuture(e);
    }
    new ImageTransfersEndpoint(vertx, images, events).mount(router);
    new ImagesEndpoint(vertx, images, events).mount(router);
    new EventsEndpoint(vertx, events).mount(router);
    new ExecEndpoint(vertx, s.execs(), config.tls()).mount(router);
    new VolumesEndpoint(s.volumes(), events).mount(router);
    new DiskUsageEndpoint(vertx, containers, images, s.volumes()).mount(router);
    new NetworksEndpoint(s.networks(), events).mount(router);
    new CommitEndpoint(vertx, containers, images, config.tls()).mount(router);
    var builds =
        new BuildService(
            containers, s.translator(), images, PullTask.newHttpClient(), config.tls());
    new BuildEndpoint(vertx, images, builds, events).mount(router);
    new ContainersEndpoint(vertx, containers, s.translator()).mount(router);
    new ContainerStreamsEndpoint(vertx, containers, config.tls()).mount(router);
    new ContainerInfoEndpoint(vertx, containers, config.tls()).mount(router);
    new ArchiveEndpoint(vertx, containers, config.tls()).mount(router);
    router.route().handler(ctx -> ctx.fail(DockerException.notFound("page not found")));
    router.route().failureHandler(Http::fail);
    return Future.succeededFuture(router);
  }

  /** The API on every host, and the admin socket when there is one. */
  private Future<?> listenAll(Router router, Services s) {
    List<Future<HttpServer>> listening = new ArrayList<>();
    for (String h : config.hosts()) {
      listening.add(listen(router, h));
    }
    if (config.adminSocket() != null) {
      var owned = new AccountsAdmin.Owned(s.images(), s.containers(), s.networks(), s.volumes());
      listening.add(
          AdminEndpoint.listen(
                  vertx,
                  config.adminSocket(),
                  s.containers(),
                  new AccountsAdmin(vertx, accounts, apiTls, owned, this::reloadTls),
                  new PackagesAdmin(vertx, packages),
                  s.events(),
                  () -> status(s.containers()))
              .onSuccess(servers::add));
    }
    return Future.all(listening);
  }

  /**
   * Without TLS only loopback and unix sockets: anything else would expose every container. With
   * TLS any address (clients' certificates are their accounts).
   */
  static void checkHost(String host, boolean tls) {
    if (host.startsWith("unix://")) {
      return;
    }
    if (!host.startsWith("tcp://")) {
      throw DockerException.invalid("invalid host %s: only tcp:// and unix:// are supported", host);
    }
    URI u = URI.create(host);
    if (tls) {
      if (u.getHost() == null) {
        throw DockerException.invalid("invalid host %s", host);
      }
      return;
    }
    try {
      if (u.getHost() == null || !InetAddress.getByName(u.getHost()).isLoopbackAddress()) {
        throw DockerException.invalid(
            "refusing to listen on %s without TLS: only loopback addresses and unix "
                + "sockets may be served in the clear",
            host);
      }
    } catch (UnknownHostException e) {
      throw DockerException.invalid("invalid host %s: %s", host, e.getMessage());
    }
  }

  private Future<HttpServer> listen(Router router, String host) {
    HttpServerOptions opts =
        new HttpServerOptions()
            .setIdleTimeout(0)
            .setCompressionSupported(false)
            .setHttp2ClearTextEnabled(false);
    boolean tls = apiTls != null && host.startsWith("tcp://");
    if (tls) {
      apiTls.apply(opts);
    }
    HttpServer server =
        vertx
            .createHttpServer(opts)
            .requestHandler(
                req -> {
                  if ("/_ping".equals(req.path())
                      && (req.method() == HttpMethod.GET || req.method() == HttpMethod.HEAD)) {
                    SystemEndpoint.ping(
                        req.response(),
                        req.method() == HttpMethod.GET); // the CLI's first request, every time
                    return;
                  }
                  if (tls
                      && "/ca.pem".equals(req.path())
                      && req.method() == HttpMethod.GET
                      && apiTls.caFile() != null) { // what clients verify this server with
                    req.response()
                        .putHeader("Content-Type", "application/x-pem-file")
                        .sendFile(apiTls.caFile().toString());
                    return;
                  }
                  router.handle(HijackablePost.mark(req));
                })
            .invalidRequestHandler(Http::invalidRequest);
    servers.add(server);
    if (tls) {
      tlsServers.add(server);
    }
    if (host.startsWith("unix://")) {
      Path sock = Path.of(host.substring("unix://".length()));
      try {
        Files.createDirectories(sock.getParent());
        Files.deleteIfExists(sock);
      } catch (IOException e) {
        return Future.failedFuture(e);
      }
      return server.listen(SocketAddress.domainSocketAddress(sock.toString()));
    }
    URI u = URI.create(host);
    return server.listen(u.getPort() < 0 ? 2375 : u.getPort(), u.getHost());
  }

  /**
   * The event log, shared by the front ends: events this one causes are published to all of them
   * (itself too); a starting front end first copies what a running one keeps.
   */
  private EventLog sharedEvents() {
    EventLog kept = new EventLog();
    if (journal != null) {
      kept.seed(journaled);
      journaled.clear();
      kept.listen(e -> true, journal::append);
    }
    vertx
        .eventBus()
        .<FrontendEvents.DockerEvent>consumer(Addresses.FRONTEND_EVENTS, m -> kept.apply(m.body()));
    vertx
        .eventBus()
        .<FrontendEvents.History>request(
            Addresses.FRONTEND_EVENT_HISTORY,
            new FrontendEvents.HistoryRequest(),
            new DeliveryOptions().setSendTimeout(5000))
        .onSuccess(
            m -> {
              kept.seed(m.body().events().stream().toList());
              if (journal != null) { // what happened while this one was away, on its disk too
                journal.rewrite(kept.history(e -> true));
              }
            })
        .onComplete( // none is running, or it did not answer: this one starts the history
            ar ->
                vertx
                    .eventBus()
                    .<FrontendEvents.HistoryRequest>consumer(
                        Addresses.FRONTEND_EVENT_HISTORY,
                        m ->
                            m.reply(
                                new FrontendEvents.History(
                                    kept.history(e -> true).stream().toList()))));

    return kept.broadcasting(e -> vertx.eventBus().publish(Addresses.FRONTEND_EVENTS, e));
  }

  /** What {@code sdc-dockeradm status} shows of this front end. Blocking. */
  private Map<String, Object> status(ContainerBackend containers) throws IOException {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("Version", SystemEndpoint.VERSION);
    m.put("Java", System.getProperty("java.version"));
    m.put("Listeners", config.hosts());
    m.put("DataRoot", config.dataRoot().toString());
    m.put("ApiTls", apiTls == null ? null : apiTls.describe());
    m.put("ClusterMembers", vertx.isClustered() ? members() : null);
    m.put(
        "ClusterCertificate",
        config.tls() == null || config.tls().cert() == null
            ? null
            : ApiTls.validity(
                Certificates.readCertificate(config.tls().cert()), config.tls().cert()));
    var nodes = containers.knownNodes();
    m.put("ComputeNodes", nodes.size());
    m.put("LiveComputeNodes", nodes.stream().filter(n -> n.live()).count());
    m.put("Accounts", accounts.list().size());
    return m;
  }

  /**
   * The cluster's members as each says it is (its role, cluster address, node): this front end
   * first. Blocking (each member's metadata is a map read).
   */
  private List<Map<String, Object>> members() {
    ClusterManager cm = ((VertxInternal) vertx).clusterManager();
    List<Map<String, Object>> out = new ArrayList<>();
    for (String id : cm.getNodes()) {
      Map<String, Object> m = new LinkedHashMap<>();
      try {
        JsonObject meta =
            Members.metadata(cm, id)
                .toCompletionStage()
                .toCompletableFuture()
                .get(5, TimeUnit.SECONDS);
        m.put("Role", meta == null ? null : meta.getString("role"));
        m.put("Address", meta == null ? null : meta.getString("address"));
        m.put("Node", meta == null ? null : meta.getString("node"));
      } catch (Exception e) {
        m.put("Role", null); // left meanwhile, or not answering
      }
      m.put("This", id.equals(cm.getNodeId()));
      out.add(m);
    }
    out.sort(Comparator.comparing((Map<String, Object> m) -> !(Boolean) m.get("This")));
    return out;
  }

  /**
   * New certificate files take effect without a restart: new connections use them, open ones keep
   * theirs; the CA of clients' certificates is read again too.
   */
  private Future<Void> reloadTls() {
    if (apiTls == null) {
      return Future.failedFuture(
          DockerException.invalid("the API's listeners do not use TLS (no --tlsverify)"));
    }
    return vertx
        .executeBlocking(
            () -> {
              apiTls.reloadCa();
              return apiTls.apply(new HttpServerOptions()).getSslOptions();
            })
        .compose(
            ssl ->
                Future.all(
                    tlsServers.stream().map(srv -> srv.updateSSLOptions(ssl, true)).toList()))
        .mapEmpty();
  }

  private void checkVersion(RoutingContext ctx) {
    String path = ctx.request().path();
    if (path.startsWith("/v")) {
      int slash = path.indexOf('/', 1);
      String v = slash < 0 ? path.substring(2) : path.substring(2, slash);
      if (v.matches("[0-9]+\\.[0-9]+")) {
        try {
          ctx.put(Http.VERSION, ApiVersion.supported(v));
        } catch (DockerException e) {
          ctx.fail(e);
          return;
        }
      }
    }
    ctx.response()
        .putHeader("Server", SystemEndpoint.SERVER)
        .putHeader("Api-Version", ApiVersion.MAX.toString())
        .putHeader("Ostype", "linux");
    ctx.next();
  }

  /** The image service: blobs by digest, for the agents. */
  private Future<HttpServer> serveBlobs(BlobStore blobs) {
    return vertx
        .createHttpServer(
            config.tls() == null // in a fleet: TLS, and only members (their certificates) fetch
                ? new HttpServerOptions().setHttp2ClearTextEnabled(false)
                : config.tls().server(new HttpServerOptions(), true))
        .requestHandler(
            req -> {
              String path = req.path();
              String digest = path.startsWith("/blobs/") ? path.substring("/blobs/".length()) : "";
              if (!Digest.is(digest) || !blobs.has(digest)) {
                req.response().setStatusCode(404).end();
                return;
              }
              req.response().sendFile(blobs.path(digest).toString());
            })
        .listen(0, config.imageServiceHost());
  }
}
