package org.sdcdocker.agent.stream;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.sdcdocker.agent.zone.LinuxZoneBackend;
import org.sdcdocker.protocol.agent.AgentRequests.StreamTicket;
import org.sdcdocker.protocol.agent.AgentRequests.Ticket;
import org.sdcdocker.protocol.agent.ZoneRecord;
import org.sdcdocker.protocol.agent.ZoneState;

/**
 * The agent's data plane: byte streams of zones (logs, attach) over plain HTTP, each behind a
 * one-time token that the front end got over the event bus. Tokens live 60 seconds.
 */
public final class StreamEndpoint {
  private static final long TICKET_TTL_NANOS = 60_000_000_000L;

  private final Vertx vertx;
  private final LinuxZoneBackend zones;
  private final org.sdcdocker.agent.exec.ExecBackend execs;
  private final String host;
  private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "zone-stream");
    t.setDaemon(true);
    return t;
  });
  private final ConcurrentHashMap<String, Pending> pending = new ConcurrentHashMap<>();
  private final SecureRandom random = new SecureRandom();
  private int port;

  /** A ticket's stream, prepared when the ticket was issued (so attach sees all of a run). */
  private record Pending(String id, StreamRequest req, RandomAccessFile file, long start, boolean tty,
      CompletableFuture<ZoneState> runEnd, long issued) {}

  public StreamEndpoint(Vertx vertx, LinuxZoneBackend zones, org.sdcdocker.agent.exec.ExecBackend execs, String host) {
    this.vertx = vertx;
    this.zones = zones;
    this.execs = execs;
    this.host = host;
  }

  /** Starts listening on an ephemeral port of {@code host}. */
  public Future<HttpServer> listen() {
    return vertx.createHttpServer().requestHandler(this::handle).listen(0, host).onSuccess(s -> port = s.actualPort());
  }

  /** Issues a one-time URL for a stream of a zone, or (kind exec) of an exec. Blocking (opens the log). */
  public Ticket issue(StreamTicket t) throws IOException {
    expire();
    if ("exec".equals(t.kind())) {
      execs.inspect(t.id());
      String token = token();
      pending.put(token, new Pending(t.id(), null, null, 0, false, null, System.nanoTime()));
      return new Ticket("http://" + host + ":" + port + "/streams/" + token);
    }
    ZoneRecord rec = zones.get(t.id());
    StreamRequest req = StreamRequest.parse(t.kind(), t.query());
    RandomAccessFile file = new RandomAccessFile(zones.paths(t.id()).log().toFile(), "r");
    CompletableFuture<ZoneState> runEnd = null;
    if (req.attach() || (req.follow() && rec.state().running())) {
      runEnd = zones.exitOf(t.id());
    }
    long start = req.attach() ? file.length() : 0;
    String token = token();
    pending.put(token, new Pending(t.id(), req, file, start, rec.spec().tty(), runEnd, System.nanoTime()));
    return new Ticket("http://" + host + ":" + port + "/streams/" + token);
  }

  private String token() {
    byte[] b = new byte[24];
    random.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  private void handle(HttpServerRequest r) {
    String path = r.path();
    Pending p = path.startsWith("/streams/") ? pending.remove(path.substring("/streams/".length())) : null;
    if (p == null) {
      r.response().setStatusCode(404).end("{\"message\":\"no such stream\"}");
      return;
    }
    if (p.req() == null) { // an exec: the connection becomes its stdio
      r.toNetSocket().onSuccess(sock -> {
        sock.pause(); // stdin waits until the process is there to take it
        pool.execute(() -> new ExecSession(execs, p.id(), sock, pool).run());
      })
          .onFailure(e -> r.response().setStatusCode(400).end());
      return;
    }
    if (p.req().stdin()) { // attach with stdin: output and input on one upgraded connection
      r.toNetSocket().onSuccess(sock -> new AttachSession(zones, p.id(), sock, pool).run(
          new LogFollower(p.file(), p.start(), p.req(), p.tty(), p.runEnd(), sock, sock::closeHandler)))
          .onFailure(e -> r.response().setStatusCode(400).end());
      return;
    }
    r.response().setChunked(true).putHeader("Content-Type", "application/octet-stream").writeHead();
    pool.execute(new LogFollower(p.file(), p.start(), p.req(), p.tty(), p.runEnd(), r.response(),
        r.response()::closeHandler));
  }

  /** Ends every stream of this endpoint (the agent is stopping); zones are not touched. */
  public void close() {
    pool.shutdownNow();
    pending.values().stream().filter(p -> p.file() != null).forEach(p -> {
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
    pending.entrySet().removeIf(e -> {
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
