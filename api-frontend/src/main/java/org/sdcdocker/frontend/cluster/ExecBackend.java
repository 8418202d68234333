package org.sdcdocker.frontend.cluster;

import io.vertx.core.Future;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.sdcdocker.protocol.DockerException;
import org.sdcdocker.protocol.agent.AgentRequests;
import org.sdcdocker.protocol.agent.AgentRequests.Ticket;
import org.sdcdocker.protocol.agent.ExecRecords;
import org.sdcdocker.protocol.agent.ExecRecords.ExecSpec;
import org.sdcdocker.protocol.agent.ExecRecords.ExecState;
import org.sdcdocker.protocol.agent.ZoneRecord;

/** Execs: created and run by the container's agent; the front end remembers only where each is. */
public final class ExecBackend {
  private static final long SHORT_MS = 30_000;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final AgentDirectory agents;
  private final ContainerIndex index;
  private final Map<String, Where> where = new ConcurrentHashMap<>();

  /** The exec's account, container and compute node. */
  public record Where(String account, String containerId, String cnUuid) {}

  private final EventLog events;
  private final Map<String, String> commands = new ConcurrentHashMap<>();
  /** What a start needs to know of its exec: its TTY (raw output), its stdin and detach keys. */
  private record StartInfo(boolean tty, boolean stdin, String detachKeys) {}

  private final Map<String, StartInfo> startInfo = new ConcurrentHashMap<>();

  public ExecBackend(AgentDirectory agents, ContainerIndex index, EventLog events) {
    this.agents = agents;
    this.index = index;
    this.events = events;
  }

  /** exec_create and exec_start name the command, as Docker's: "exec_start: sh -c ...". */
  private void event(String account, String execId, String action) {
    Where w = where(account, execId);
    events.container(action + ": " + commands.getOrDefault(execId, ""), index.resolve(account, w.containerId()),
        EventLog.now(), Map.of("execID", execId));
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
    return agents.<ExecState>request(r.cnUuid(), "exec-create", new ExecRecords.CreateExec(r.spec().id(), id, spec), SHORT_MS)
        .map(st -> {
          where.put(id, new Where(account, r.spec().id(), r.cnUuid()));
          commands.put(id, String.join(" ", spec.cmd()));
          startInfo.put(id, new StartInfo(spec.tty(), spec.attachStdin(), keys == null ? "" : keys));
          event(account, id, "exec_create");
          return id;
        });
  }

  /** Whether the exec takes input (its attached start watches for the detach keys). */
  public boolean stdin(String execId) {
    StartInfo i = startInfo.get(execId);
    return i != null && i.stdin();
  }

  /** The detach keys the exec was made with ("" for Docker's default). */
  public String detachKeys(String execId) {
    StartInfo i = startInfo.get(execId);
    return i == null ? "" : i.detachKeys();
  }

  /** Whether the exec was made with a TTY (its output raw); false for one this front end did not make. */
  public boolean tty(String execId) {
    StartInfo i = startInfo.get(execId);
    return i != null && i.tty();
  }

  public Where where(String account, String execId) {
    Where w = where.get(execId);
    if (w == null || !w.account().equals(account)) {
      throw DockerException.notFound("No such exec instance: %s", execId);
    }
    return w;
  }

  public Future<ExecState> inspect(String account, String execId) {
    Where w = where(account, execId);
    return agents.request(w.cnUuid(), "exec-inspect", new ExecRecords.InspectExec(execId), SHORT_MS);
  }

  public Future<ExecState> startDetached(String account, String execId) {
    Where w = where(account, execId);
    return agents.<ExecState>request(w.cnUuid(), "exec-start", new ExecRecords.StartExecDetached(execId), SHORT_MS)
        .onSuccess(st -> started(account, execId));
  }

  public Future<Void> resize(String account, String execId, int height, int width) {
    Where w = where(account, execId);
    return agents.request(w.cnUuid(), "exec-resize", new ExecRecords.ResizeExec(execId, height, width), SHORT_MS)
        .mapEmpty();
  }

  /** A one-time URL of an exec link to the agent's data plane (see the front end's ExecLinks). */
  public Future<String> linkTicket(String cnUuid) {
    return agents.<Ticket>request(cnUuid, "stream", new AgentRequests.StreamTicket("", "exec-link", ""), SHORT_MS)
        .map(Ticket::url);
  }

  /** The container of an exec, for its events. */
  public ZoneRecord container(String account, String execId) {
    return index.resolve(account, where(account, execId).containerId());
  }
}
