package org.sdcdocker.frontend.cluster;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.AsyncMap;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.sdcdocker.protocol.DockerException;
import org.sdcdocker.protocol.Json;
import org.sdcdocker.protocol.agent.Addresses;
import org.sdcdocker.protocol.agent.AgentRequests;
import org.sdcdocker.protocol.agent.AgentRequests.Ticket;
import org.sdcdocker.protocol.agent.ExecRecords;
import org.sdcdocker.protocol.agent.ExecRecords.ExecSpec;
import org.sdcdocker.protocol.agent.ExecRecords.ExecState;
import org.sdcdocker.protocol.agent.FrontendEvents;
import org.sdcdocker.protocol.agent.ZoneRecord;

/**
 * Execs: created and run by the container's agent; the front end remembers only where each is.
 * Every front end knows every exec: a new one reaches the others on the bus at once, and is kept in
 * the fleet's map {@code sdc.execs} (Hazelcast's, with two backups; in the embedded default this
 * process's) for a front end that starts later, so the loss or restart of any one front end loses
 * none.
 */
public final class ExecBackend {
  private static final long SHORT_MS = 30_000;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Vertx vertx;
  private final AgentDirectory agents;
  private final ContainerIndex index;

  /** Every exec this front end made, until its container is removed. */
  private final Map<String, Exec> execs = new ConcurrentHashMap<>();

  /** The fleet's execs as JSON (ExecCreated), by id. */
  private final Future<AsyncMap<String, String>> shared;

  /** The exec's account, container and compute node. */
  public record Where(String account, String containerId, String cnUuid) {}

  /**
   * What the front end keeps of an exec: where it runs, its command (for events) and what a start
   * needs to know: its TTY (raw output), its stdin and detach keys.
   */
  private record Exec(Where where, String command, boolean tty, boolean stdin, String detachKeys) {}

  private final EventLog events;

  public ExecBackend(Vertx vertx, AgentDirectory agents, ContainerIndex index, EventLog events) {
    this.vertx = vertx;
    vertx
        .eventBus()
        .<FrontendEvents.ExecCreated>consumer(Addresses.FRONTEND_EXECS, m -> known(m.body()));
    this.agents = agents;
    this.index = index;
    this.events = events;
    this.shared = vertx.sharedData().getAsyncMap("sdc.execs");
  }

  /** Learns the execs made before this front end started (those made since come on the bus). */
  public Future<Void> load() {
    return shared
        .compose(AsyncMap::entries)
        .map(
            all -> {
              for (String v : all.values()) {
                known(Json.decode(v, FrontendEvents.ExecCreated.class));
              }
              return null;
            });
  }

  /** exec_create and exec_start name the command, as Docker's: "exec_start: sh -c ...". */
  private void event(String account, String execId, String action) {
    Where w = where(account, execId);
    Exec e = execs.get(execId); // gone when its container was removed just now
    events.container(
        action + ": " + (e == null ? "" : e.command()),
        index.resolve(account, w.containerId()),
        EventLog.now(),
        Map.of("execID", execId));
  }

  /** Records that an exec was started (by a client attached to it or detached). */
  public void started(String account, String execId) {
    event(account, execId, "exec_start");
  }

  public Future<String> create(String account, String ref, ExecSpec spec) {
    return create(account, ref, spec, "");
  }

  /** The same, with the detach keys its attached start honours ("": Docker's ctrl-p,ctrl-q). */
  public Future<String> create(String account, String ref, ExecSpec spec, String keys) {
    ZoneRecord r = index.resolve(account, ref);
    byte[] b = new byte[32];
    RANDOM.nextBytes(b);
    String id = HexFormat.of().formatHex(b);
    return agents
        .request(r.cnUuid(), new ExecRecords.CreateExec(r.spec().id(), id, spec), SHORT_MS)
        .map(
            st -> {
              var made =
                  new FrontendEvents.ExecCreated(
                      id,
                      account,
                      r.spec().id(),
                      r.cnUuid(),
                      String.join(" ", spec.cmd()),
                      spec.tty(),
                      spec.attachStdin(),
                      keys == null ? "" : keys);
              known(made); // at once here; the other front ends get it from the bus
              vertx.eventBus().publish(Addresses.FRONTEND_EXECS, made);
              event(account, id, "exec_create");
              return made;
            })
        // kept for the front ends that start later before the create answers
        .compose(made -> shared.compose(m -> m.put(id, Json.encode(made))).map(id));
  }

  /** An exec instance a front end made (this one, or another). */
  private void known(FrontendEvents.ExecCreated e) {
    execs.putIfAbsent(
        e.execId(),
        new Exec(
            new Where(e.account(), e.containerId(), e.cnUuid()),
            e.command(),
            e.tty(),
            e.stdin(),
            e.detachKeys()));
  }

  /** Whether the exec takes input (its attached start watches for the detach keys). */
  public boolean stdin(String execId) {
    Exec i = execs.get(execId);
    return i != null && i.stdin();
  }

  /** The detach keys the exec was made with ("" for Docker's default). */
  public String detachKeys(String execId) {
    Exec i = execs.get(execId);
    return i == null ? "" : i.detachKeys();
  }

  /**
   * Whether the exec was made with a TTY (its output raw); false for one this front end did not
   * make.
   */
  public boolean tty(String execId) {
    Exec i = execs.get(execId);
    return i != null && i.tty();
  }

  public Where where(String account, String execId) {
    Exec e = execs.get(execId);
    if (e == null || !e.where().account().equals(account)) {
      throw DockerException.notFound("No such exec instance: %s", execId);
    }
    return e.where();
  }

  public Future<ExecState> inspect(String account, String execId) {
    Where w = where(account, execId);
    return agents.request(w.cnUuid(), new ExecRecords.InspectExec(execId), SHORT_MS);
  }

  public Future<ExecState> startDetached(String account, String execId) {
    Where w = where(account, execId);
    return agents
        .request(w.cnUuid(), new ExecRecords.StartExecDetached(execId), SHORT_MS)
        .onSuccess(st -> started(account, execId));
  }

  public Future<Void> resize(String account, String execId, int height, int width) {
    Where w = where(account, execId);
    return agents
        .request(w.cnUuid(), new ExecRecords.ResizeExec(execId, height, width), SHORT_MS)
        .mapEmpty();
  }

  /** A one-time URL of an exec link to the agent's data plane (see the front end's ExecLinks). */
  public Future<String> linkTicket(String cnUuid) {
    return agents
        .request(cnUuid, new AgentRequests.StreamTicket("", "exec-link", ""), SHORT_MS)
        .map(Ticket::url);
  }

  /** Forgets the execs of a removed container (its agent has forgotten them too). */
  public void forgetContainer(String containerId) {
    List<String> gone =
        execs.entrySet().stream()
            .filter(e -> e.getValue().where().containerId().equals(containerId))
            .map(Map.Entry::getKey)
            .toList();
    gone.forEach(execs::remove);
    if (!gone.isEmpty()) { // every front end hears of the removal; the first one's remove counts
      shared.onSuccess(m -> gone.forEach(m::remove));
    }
  }

  /** How many execs this front end knows of. */
  public int size() {
    return execs.size();
  }

  /** The container of an exec, for its events. */
  public ZoneRecord container(String account, String execId) {
    return index.resolve(account, where(account, execId).containerId());
  }
}
