package org.sdcdocker.frontend.cluster;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.sdcdocker.protocol.DockerException;
import org.sdcdocker.protocol.agent.AgentRequests.ZoneList;
import org.sdcdocker.protocol.agent.ZoneRecord;

/**
 * The front end's view of every container, rebuilt from the agents (their lists and events); it
 * holds nothing the agents do not. It resolves names and id prefixes and wakes waiters. Touched
 * only on the front end's event loop.
 */
public final class ContainerIndex {
  private final Map<String, ZoneRecord> byId = new ConcurrentHashMap<>();
  private final Map<String, List<Waiter>> waiters = new ConcurrentHashMap<>();

  private static final long AUTO_REMOVED_NANOS = 60_000_000_000L;

  /** A container removed by its AutoRemove, and when. */
  private record Gone(ZoneRecord record, long atNanos) {}

  private final Map<String, Gone> autoRemoved = new ConcurrentHashMap<>();

  private static final long DESTROYED_NANOS = 600_000_000_000L;

  /**
   * The containers destroyed in the last ten minutes, and when: a reply about one that comes after
   * its destroy event (a start or rename answered late while another request removed it) must not
   * bring it back. Container ids are never used twice.
   */
  private final Map<String, Long> destroyed = new ConcurrentHashMap<>();

  /** When each container became known here (a node's list asked for later must name it). */
  private final Map<String, Long> knownSince = new ConcurrentHashMap<>();

  /** Names reserved by creates in flight, so two creates cannot take one name. */
  private final Map<String, String> reservedNames = new ConcurrentHashMap<>();

  /** Wakes when a container reaches a condition. */
  private record Waiter(Predicate<Change> when, Promise<ZoneRecord> promise) {}

  /** A change of one container: its record before and after (null when removed). */
  public record Change(ZoneRecord before, ZoneRecord after) {}

  /** Applies a record from an agent, unless it is older than what is known, or destroyed. */
  public void put(ZoneRecord rec) {
    String id = rec.spec().id();
    if (destroyed.containsKey(id)) {
      return;
    }
    ZoneRecord before = byId.get(id);
    if (before != null && rec.version() < before.version()) {
      return; // a late reply, older than an event already applied
    }
    byId.put(id, rec);
    knownSince.putIfAbsent(id, System.nanoTime());
    reservedNames.remove(key(rec.spec().owner(), rec.spec().name()));
    fire(id, new Change(before, rec));
  }

  /**
   * A node's full list, asked for at {@code askedAtNanos}: its records applied, and its containers
   * known before then that the list lacks forgotten (removed while the front end did not hear from
   * the node); those are returned.
   */
  public List<ZoneRecord> replaceNode(String cnUuid, List<ZoneRecord> listed, long askedAtNanos) {
    var ids = listed.stream().map(r -> r.spec().id()).collect(Collectors.toSet());
    List<ZoneRecord> gone = new ArrayList<>();
    for (ZoneRecord r : List.copyOf(byId.values())) {
      Long since = knownSince.get(r.spec().id());
      if (cnUuid.equals(r.cnUuid())
          && !ids.contains(r.spec().id())
          && since != null
          && since < askedAtNanos) { // one made after the list was asked for is not in it
        remove(r.spec().id());
        gone.add(r);
      }
    }
    listed.forEach(this::put);
    return gone;
  }

  /**
   * What each node holds, in one pass over the containers: how many (and of each account), how many
   * run, and the memory their limits reserve.
   */
  public record NodeLoad(int zones, int running, long memory, Map<String, Integer> byAccount) {}

  /** Every node's load, by node. */
  public Map<String, NodeLoad> loadByNode() {
    Map<String, int[]> counts = new HashMap<>();
    Map<String, Long> memory = new HashMap<>();
    Map<String, Map<String, Integer>> accounts = new HashMap<>();
    for (ZoneRecord r : byId.values()) {
      int[] c = counts.computeIfAbsent(r.cnUuid(), k -> new int[2]);
      c[0]++;
      if (r.state().running()) {
        c[1]++;
      }
      memory.merge(r.cnUuid(), r.spec().host().memory(), Long::sum);
      accounts
          .computeIfAbsent(r.cnUuid(), k -> new HashMap<>())
          .merge(r.spec().owner(), 1, Integer::sum);
    }
    Map<String, NodeLoad> out = new HashMap<>();
    counts.forEach(
        (cn, c) -> out.put(cn, new NodeLoad(c[0], c[1], memory.get(cn), accounts.get(cn))));
    return out;
  }

  /** The container with this full id, or null. */
  public ZoneRecord byId(String id) {
    return byId.get(id);
  }

  /** The versions of the records held of a node's containers, by id. */
  public Map<String, Long> versionsOn(String cnUuid) {
    Map<String, Long> out = new HashMap<>();
    for (ZoneRecord r : byId.values()) {
      if (cnUuid.equals(r.cnUuid())) {
        out.put(r.spec().id(), r.version());
      }
    }
    return out;
  }

  /**
   * A node's whole list from its answer: the records it sent, and those of the ids it said are
   * unchanged as held here (one removed here meanwhile, by its destroy event, stays removed).
   */
  public List<ZoneRecord> listed(String cnUuid, ZoneList answer) {
    List<ZoneRecord> out = new ArrayList<>(answer.zones());
    for (String id : answer.unchanged()) {
      ZoneRecord held = byId.get(id);
      if (held != null && cnUuid.equals(held.cnUuid())) {
        out.add(held);
      }
    }
    return out;
  }

  /** Whether the container was destroyed in the last ten minutes. */
  public boolean wasDestroyed(String id) {
    return destroyed.containsKey(id);
  }

  /**
   * Forgets a container its node destroyed (its event, or the answer to a removal); what is said of
   * it afterwards is late.
   */
  public void destroyed(String id) {
    long now = System.nanoTime();
    destroyed.values().removeIf(at -> now - at > DESTROYED_NANOS);
    destroyed.put(id, now);
    remove(id);
  }

  /**
   * Forgets a container (its node's list lacks it, or the node was forgotten: should the node come
   * back with it after all, it is known again).
   */
  public void remove(String id) {
    ZoneRecord before = byId.remove(id);
    knownSince.remove(id);
    if (before != null) {
      if (before.spec().autoRemove()) {
        autoRemoved.put(id, new Gone(before, System.nanoTime()));
        long now = System.nanoTime();
        autoRemoved.values().removeIf(g -> now - g.atNanos() > AUTO_REMOVED_NANOS);
      }
      fire(id, new Change(before, null));
    }
  }

  /**
   * An AutoRemove container its node removed in the last minute, named by its full id: its last
   * record, so a {@code wait} that comes just after the removal (docker-py's run waits after its
   * start, not before as the docker CLI does) still learns how the run ended. Null otherwise.
   */
  public ZoneRecord autoRemoved(String owner, String id) {
    Gone g = autoRemoved.get(id);
    return g != null
            && g.record().spec().owner().equals(owner)
            && System.nanoTime() - g.atNanos() <= AUTO_REMOVED_NANOS
        ? g.record()
        : null;
  }

  private void fire(String id, Change c) {
    List<Waiter> ws = waiters.get(id);
    if (ws == null) {
      return;
    }
    for (Waiter w : new ArrayList<>(ws)) {
      if (w.when().test(c)) {
        ws.remove(w);
        w.promise().tryComplete(c.after() != null ? c.after() : c.before());
      }
    }
    if (ws.isEmpty()) {
      waiters.remove(id);
    }
  }

  /** A future completed by the first change of the container that matches. */
  public Future<ZoneRecord> when(String id, Predicate<Change> condition) {
    Promise<ZoneRecord> p = Promise.promise();
    waiters.computeIfAbsent(id, k -> new ArrayList<>()).add(new Waiter(condition, p));
    return p.future();
  }

  /** Resolves a full id, a name, or a unique id prefix among the account's containers. */
  public ZoneRecord resolve(String owner, String ref) {
    String name = ref.startsWith("/") ? ref.substring(1) : ref;
    ZoneRecord exact = byId.get(ref);
    if (exact != null && exact.spec().owner().equals(owner)) {
      return exact;
    }
    List<ZoneRecord> prefixed = new ArrayList<>();
    for (ZoneRecord r : byId.values()) {
      if (!r.spec().owner().equals(owner)) {
        continue;
      }
      if (r.spec().name().equals(name)) {
        return r;
      }
      if (!ref.isEmpty() && r.spec().id().startsWith(ref)) {
        prefixed.add(r);
      }
    }
    if (prefixed.size() == 1) {
      return prefixed.get(0);
    }
    if (prefixed.size() > 1) {
      throw DockerException.invalid("multiple IDs found with provided prefix: %s", ref);
    }
    throw DockerException.notFound("No such container: %s", ref);
  }

  /** Reserves a name for a create; CONFLICT when taken. */
  public void reserveName(String owner, String name, String id) {
    for (ZoneRecord r : byId.values()) {
      if (r.spec().owner().equals(owner) && r.spec().name().equals(name)) {
        throw conflict(name, r.spec().id());
      }
    }
    String prev = reservedNames.putIfAbsent(key(owner, name), id);
    if (prev != null) {
      throw conflict(name, prev);
    }
  }

  static DockerException conflict(String name, String id) {
    return DockerException.conflict(
        "Conflict. The container name \"/%s\" is already in use by container \"%s\". "
            + "You have to remove (or rename) that container to be able to reuse that name.",
        name, id);
  }

  public void releaseName(String owner, String name) {
    reservedNames.remove(key(owner, name));
  }

  private static String key(String owner, String name) {
    return owner + "/" + name;
  }

  /** Every container of an account. */
  public List<ZoneRecord> all(String owner) {
    return byId.values().stream().filter(r -> r.spec().owner().equals(owner)).toList();
  }

  public Collection<ZoneRecord> everything() {
    return byId.values();
  }
}
