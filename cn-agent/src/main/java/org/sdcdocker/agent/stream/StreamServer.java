package org.sdcdocker.agent.stream;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.net.NetSocket;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.sdcdocker.agent.exec.ExecLauncher;
import org.sdcdocker.agent.image.RootUntar;
import org.sdcdocker.agent.zone.ArchiveOps;
import org.sdcdocker.agent.zone.LinuxZoneBackend;
import org.sdcdocker.agent.zone.RootfsTar;
import org.sdcdocker.agent.zone.ZoneCommit;
import org.sdcdocker.bus.Daemons;
import org.sdcdocker.bus.ExecLink;
import org.sdcdocker.bus.Tls;
import org.sdcdocker.protocol.DockerException;
import org.sdcdocker.protocol.ErrorKind;
import org.sdcdocker.protocol.Json;
import org.sdcdocker.protocol.agent.AgentRequests.StreamTicket;
import org.sdcdocker.protocol.agent.AgentRequests.Ticket;
import org.sdcdocker.protocol.agent.ZoneRecord;
import org.sdcdocker.protocol.agent.ZoneState;

/**
 * The agent's data plane: byte streams of zones (logs, attach) over plain HTTP, each behind a
 * one-time token that the front end got over the event bus. Tokens live 60 seconds.
 *
 * <p>Why it is long: the one data-plane server of the agent: one-time tickets and each kind of
 * stream they open (logs, attach, exec links, archives, export, commit layers).
 */
public final class StreamServer {
  private static final long TICKET_TTL_NANOS = 60_000_000_000L;

  private final Tls tls;
  private final Vertx vertx;
  private final LinuxZoneBackend zones;
  private final ExecLauncher execs;
  private final String host;
  private final Path stdinRelay;
  private final RootUntar untar;
  private final ExecutorService pool = Executors.newCachedThreadPool(Daemons.named("zone-stream"));
  private final ConcurrentHashMap<String, Pending> pending = new ConcurrentHashMap<>();
  private final SecureRandom random = new SecureRandom();
  private int port;

  /** A ticket's stream, prepared when the ticket was issued (so attach sees all of a run). */
  private record Pending(
      String id,
      StreamRequest req,
      RandomAccessFile file,
      long start,
      boolean tty,
      CompletableFuture<ZoneState> runEnd,
      long issued,
      String kind,
      String query) {
    Pending(
        String id,
        StreamRequest req,
        RandomAccessFile file,
        long start,
        boolean tty,
        CompletableFuture<ZoneState> runEnd,
        long issued) {
      this(id, req, file, start, tty, runEnd, issued, req == null ? "exec" : "log", "");
    }
  }

  public StreamServer(
      Vertx vertx,
      LinuxZoneBackend zones,
      ExecLauncher execs,
      String host,
      Path stdinRelay,
      RootUntar untar,
      Tls tls) {
    this.tls = tls;
    this.vertx = vertx;
    this.zones = zones;
    this.execs = execs;
    this.host = host;
    this.stdinRelay = stdinRelay;
    this.untar = untar;
  }

  private String scheme() {
    return tls == null ? "http://" : "https://";
  }

  /** Starts listening on an ephemeral port of {@code host}. */
  public Future<HttpServer> listen() {
    return vertx
        .createHttpServer(
            tls == null // in a fleet, over TLS: a ticket is the client's only credential
                ? new HttpServerOptions().setHttp2ClearTextEnabled(false)
                : tls.server(new HttpServerOptions(), false))
        .requestHandler(this::answer)
        .listen(0, host)
        .onSuccess(s -> port = s.actualPort());
  }

  /**
   * Issues a one-time URL for a stream of a zone, or (kind exec) of an exec. Blocking (opens the
   * log).
   */
  public Ticket issue(StreamTicket t) throws IOException {
    expire();
    if ("export".equals(t.kind())
        || "archive".equals(t.kind())
        || "extract".equals(t.kind())
        || "commit-layer".equals(t.kind())) {
      zones.get(t.id());
      String token = token();
      pending.put(
          token,
          new Pending(t.id(), null, null, 0, false, null, System.nanoTime(), t.kind(), t.query()));
      return new Ticket(scheme() + host + ":" + port + "/streams/" + token);
    }
    if ("exec-link"
        .equals(t.kind())) { // a connection the front end keeps ready for its next exec start
      String token = token();
      pending.put(
          token, new Pending("", null, null, 0, false, null, System.nanoTime(), t.kind(), ""));
      return new Ticket(scheme() + host + ":" + port + "/streams/" + token);
    }
    ZoneRecord rec = zones.get(t.id());
    StreamRequest req =
        StreamRequest.parse(t.kind(), t.query()).withDetails(LogFormat.attributes(rec.spec()));
    RandomAccessFile file = new RandomAccessFile(zones.paths(t.id()).log().toFile(), "r");
    CompletableFuture<ZoneState> runEnd = null;
    if (req.attach() || (req.follow() && rec.state().running())) {
      runEnd = zones.exitOf(t.id(), req.attach()); // followed logs end with the run they saw
    }
    long start =
        req.offset() >= 0
            ? Math.min(req.offset(), file.length())
            : req.attach() ? file.length() : 0;
    String token = token();
    pending.put(
        token, new Pending(t.id(), req, file, start, rec.spec().tty(), runEnd, System.nanoTime()));
    return new Ticket(scheme() + host + ":" + port + "/streams/" + token);
  }

  private void tar(String id, String path, boolean whole, HttpServerResponse resp) {
    ResponseOutputStream out = new ResponseOutputStream(resp, resp::closed);
    try {
      if (whole) {
        zones.withRootfs(
            id,
            root -> {
              RootfsTar.write(root, "", out);
              return null;
            });
      } else {
        zones.withPath(
            id,
            path,
            (root, inRoot, name) -> {
              ArchiveOps.read(root, inRoot, name, out);
              return null;
            });
      }
      out.close();
    } catch (IOException | RuntimeException e) {
      resp.reset(); // a cut stream, so the client does not take half a tar for a whole one
    }
  }

  /** The request body goes to a file of the zone first, then is extracted off the event loop. */
  private void extract(Pending p, HttpServerRequest r) {
    r.pause(); // until the file is open
    Path tmp = zones.paths(p.id()).dir().resolve("cp-" + token() + ".tar");
    String path = StreamRequest.param(p.query(), "path");
    boolean keepOwners =
        "1".equals(StreamRequest.param(p.query(), "copyUIDGID"))
            || "true".equals(StreamRequest.param(p.query(), "copyUIDGID"));
    vertx
        .fileSystem()
        .open(tmp.toString(), new OpenOptions().setCreate(true).setWrite(true))
        .compose(file -> r.pipeTo(file))
        .compose(
            v ->
                vertx.executeBlocking(
                    () ->
                        zones.withPath(
                            p.id(),
                            path,
                            (root, inRoot, name) -> {
                              try (var in = Files.newInputStream(tmp)) {
                                ArchiveOps.extract(untar, root, inRoot, in, keepOwners);
                              }
                              return null;
                            }),
                    false))
        .onComplete(
            ar -> {
              try {
                Files.deleteIfExists(tmp);
              } catch (IOException ignored) {
                // removed with the zone at the latest
              }
              if (ar.succeeded()) {
                r.response().setStatusCode(200).end();
              } else {
                DockerException d = DockerException.of(ar.cause());
                r.response()
                    .setStatusCode(500)
                    .putHeader("X-Sdc-Error-Kind", d.kind().name())
                    .end(Json.encode(Map.of("message", d.getMessage())));
              }
            });
  }

  private String token() {
    byte[] b = new byte[24];
    random.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  /**
   * A stream request, always answered: a zone removed between the front end's ticket and this
   * request (a race with {@code rm}) is a 404 in Docker's words; anything else thrown ends the
   * request with a 500, or, once the stream's head is out, ends the connection.
   */
  private void answer(HttpServerRequest r) {
    try {
      handle(r);
    } catch (RuntimeException e) {
      DockerException d = DockerException.of(e);
      if (r.response().headWritten()) {
        r.connection().close();
      } else if (!r.response().ended()) {
        r.response()
            .setStatusCode(d.kind() == ErrorKind.NOT_FOUND ? 404 : 500)
            .putHeader("Content-Type", "application/json")
            .end(Json.encode(Map.of("message", d.getMessage())));
      }
    }
  }

  private void handle(HttpServerRequest r) {
    String path = r.path();
    Pending p =
        path.startsWith("/streams/") ? pending.remove(path.substring("/streams/".length())) : null;
    if (p == null) {
      r.response().setStatusCode(404).end("{\"message\":\"no such stream\"}");
      return;
    }
    if (p.kind().equals("export") || p.kind().equals("archive")) { // the zone's files as a tar
      String inZone = p.kind().equals("export") ? "/" : StreamRequest.param(p.query(), "path");
      r.response().setChunked(true).putHeader("Content-Type", "application/x-tar").writeHead();
      pool.execute(() -> tar(p.id(), inZone, p.kind().equals("export"), r.response()));
      return;
    }
    if (p.kind().equals("commit-layer")) { // a committed layer, once: then it goes
      Path file;
      try {
        file = ZoneCommit.file(zones.paths(p.id()), StreamRequest.param(p.query(), "file"));
      } catch (
          RuntimeException
              removed) { // the zone went meanwhile: an answer, never a request left hanging
        r.response()
            .setStatusCode(404)
            .end(Json.encode(Map.of("message", "No such container: " + p.id())));
        return;
      }
      r.response()
          .putHeader("Content-Type", "application/octet-stream")
          .sendFile(file.toString())
          .onComplete(
              ar -> {
                if (ar.failed() && !r.response().ended()) {
                  r.response().setStatusCode(404).end();
                }
                vertx.executeBlocking(() -> Files.deleteIfExists(file), false);
              });
      return;
    }
    if (p.kind().equals("extract")) { // a tar from the client into a directory of the zone
      extract(p, r);
      return;
    }
    if (p.kind().equals("exec-link")) { // the connection becomes the stdio of the exec it names
      r.toNetSocket()
          .onSuccess(this::execLink)
          .onFailure(e -> r.response().setStatusCode(400).end());
      return;
    }
    if (p.req().stdin()) { // attach with stdin: output and input on one upgraded connection
      r.toNetSocket()
          .onSuccess(
              sock -> {
                Resumable env = p.req().resumable() ? new Resumable(sock) : null;
                LogFollower f =
                    new LogFollower(
                        p.file(),
                        p.start(),
                        p.req(),
                        p.tty(),
                        p.runEnd(),
                        env == null ? sock : env,
                        sock::closeHandler);
                if (env != null) {
                  env.offsets(f::consumed, p.start());
                }
                AttachSession session = new AttachSession(zones, p.id(), sock, pool, stdinRelay);
                if (env != null) {
                  session.acks(env::ack);
                }
                session.run(f);
              })
          .onFailure(e -> r.response().setStatusCode(400).end());
      return;
    }
    Path log = zones.paths(p.id()).log(); // before the head: a removed zone is still a 404
    r.response().setChunked(true).putHeader("Content-Type", "application/octet-stream").writeHead();
    Resumable env = p.req().resumable() ? new Resumable(r.response()) : null;
    LogFollower f =
        new LogFollower(
            p.file(),
            log,
            p.start(),
            p.req(),
            p.tty(),
            p.runEnd(),
            env == null ? r.response() : env,
            r.response()::closeHandler);
    if (env != null) {
      env.offsets(f::consumed, p.start());
    }
    pool.execute(f);
  }

  /**
   * An exec link ({@link org.sdcdocker.bus.ExecLink}): when a client starts an exec the front end
   * names it on the link; it is started (one without a terminal at once, as the agent's child) and
   * the connection becomes its stdio. Links are made ahead, so a start costs no ticket and no
   * connection.
   */
  private void execLink(NetSocket sock) {
    ExecLink.readLine(
        sock,
        (execId, early) ->
            pool.execute(
                () -> {
                  Process started;
                  try {
                    started = execs.inspect(execId).spec().tty() ? null : execs.start(execId);
                    if (started == null) {
                      execs.checkStartable(execId);
                    }
                  } catch (RuntimeException e) {
                    sock.write(ExecLink.refusal(DockerException.of(e)) + "\n");
                    sock.end();
                    return;
                  }
                  sock.write(ExecLink.OK + "\n");
                  new ExecSession(execs, execId, sock, pool, started, early).run();
                }));
  }

  /** Ends every stream of this endpoint (the agent is stopping); zones are not touched. */
  public void close() {
    pool.shutdownNow();
    pending.values().stream()
        .filter(p -> p.file() != null)
        .forEach(
            p -> {
              try {
                p.file().close();
              } catch (IOException ignored) {
                // nothing to do
              }
            });
    pending.clear();
  }

  private void expire() {
    long now = System.nanoTime();
    pending
        .entrySet()
        .removeIf(
            e -> {
              boolean old = now - e.getValue().issued() > TICKET_TTL_NANOS;
              if (old && e.getValue().file() != null) {
                try {
                  e.getValue().file().close();
                } catch (IOException ignored) {
                  // nothing to do
                }
              }
              return old;
            });
  }
}
