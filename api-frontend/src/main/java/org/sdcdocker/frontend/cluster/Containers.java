package org.sdcdocker.frontend.cluster;

import io.vertx.core.Future;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.sdcdocker.frontend.translate.Creation;
import org.sdcdocker.frontend.translate.SentConfig;
import org.sdcdocker.protocol.agent.AgentEvents.Heartbeat;
import org.sdcdocker.protocol.agent.AgentRequests;
import org.sdcdocker.protocol.agent.ZoneRecord;

/**
 * The containers of the fleet as the endpoints and the builder see them: each verb of the API on a
 * container, by account and reference. {@link ContainerBackend} is the one implementation: it finds
 * the container and asks its compute node; a test may serve these from memory.
 */
public interface Containers {
  /** An event the front end itself causes (kill, stop, restart, attach). */
  void event(String action, ZoneRecord r, Map<String, String> extra);

  /** Creates a translated container: its name reserved, placed on a node, made there. */
  Future<ZoneRecord> create(String account, Creation creation);

  /** What the container's create sent that only inspect gives back. */
  Future<SentConfig> sentConfig(String id);

  /** A compute node as the front end knows it, live or not, and the memory its containers hold. */
  record Node(
      Heartbeat heartbeat,
      boolean live,
      long lastHeardSeconds,
      int containers,
      int running,
      long reservedMemory) {}

  /** Every node heard from since this front end started, live or not. */
  List<Node> knownNodes();

  /**
   * Forgets a node that will not return (an operator's verb): refused while it is live; its
   * containers are reported destroyed, through every front end. The number of its containers.
   */
  int forgetNode(String cnUuid);

  /** Takes a node out of placement (no new containers) or puts it back: its agent keeps it. */
  Future<Void> reserveNode(String cnUuid, boolean reserved);

  /** A node's last heartbeat, or null when never heard from. */
  Heartbeat heartbeat(String cnUuid);

  /** Whether a container's node is live (its containers' state is current). */
  boolean nodeLive(String cnUuid);

  /** The compute nodes heard from lately. */
  Collection<Heartbeat> nodes();

  /** Where a container is on its node (an operator's question). */
  Future<AgentRequests.WhereResult> where(ZoneRecord r);

  /** Every container of every account (what images are in use). */
  Collection<ZoneRecord> all();

  List<ZoneRecord> list(String account);

  ZoneRecord get(String account, String ref);

  /** Starts; ALREADY when it runs already. */
  Future<Outcome> start(String account, String ref);

  Future<Void> kill(String account, String ref, int signal);

  /** The signal, then SIGKILL after the timeout; ALREADY when it was not running. */
  Future<Outcome> stop(String account, String ref, int signal, int timeoutSeconds);

  /** Stop (when running), then start. */
  Future<Void> restart(String account, String ref, int signal, int timeoutSeconds);

  /** Freezes or thaws a running container. */
  Future<Void> pause(String account, String ref, boolean pause);

  Future<AgentRequests.ChangeList> changes(String account, String ref);

  Future<AgentRequests.TopResult> top(String account, String ref, String psArgs);

  /**
   * One sample; a container gone meanwhile is a failed future (stats is also called from a timer).
   */
  Future<AgentRequests.StatsResult> stats(String account, String ref);

  /** New limits or restart policy. */
  Future<ZoneRecord> update(String account, String ref, AgentRequests.UpdateZone u);

  /** Removes every container of the account that does not run (and matches); their ids. */
  Future<List<String>> prune(String account, Predicate<ZoneRecord> filter);

  /** SizeRw and SizeRootFs of a container. */
  Future<AgentRequests.SizesResult> sizes(ZoneRecord r);

  /** The stat of a path inside the container, for docker cp. */
  Future<AgentRequests.PathStat> statPath(ZoneRecord r, String path);

  /** Resizes a running container's TTY. */
  Future<Void> resize(String account, String ref, int height, int width);

  /** Renames; the new name must be free within the account. */
  Future<Void> rename(String account, String ref, String newName);

  Future<Void> remove(String account, String ref, boolean force);

  /** Removes a container; with volumes, its anonymous volumes too (rm -v). */
  Future<Void> remove(String account, String ref, boolean force, boolean volumes);

  /**
   * The container's changes as a layer made by its agent (docker commit); the zone frozen meanwhile
   * when asked.
   */
  Future<AgentRequests.CommitResult> commitLayer(ZoneRecord r, boolean pause);

  /** docker rm --link /PARENT/ALIAS: the parent forgets the link; no container is removed. */
  Future<Void> unlink(String account, String linkName);

  /** Docker's wait conditions: not-running (default), next-exit, removed. */
  Future<ZoneRecord> waitFor(String account, String ref, String condition);

  /** A one-time URL of the zone's stream on its agent. */
  Future<String> streamTicket(ZoneRecord r, String kind, String query);
}
