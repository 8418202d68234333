package org.sdcdocker.agent.zone;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.sdcdocker.protocol.DockerException;
import org.sdcdocker.protocol.agent.AgentEvents.ZoneEvent;
import org.sdcdocker.protocol.agent.ContainerSpec;
import org.sdcdocker.protocol.agent.ZoneRecord;

/** This node's zones in memory, their persisted records, and the events their changes publish. */
final class ZoneTable {
  private final ConcurrentHashMap<String, Zone> zones = new ConcurrentHashMap<>();
  private final ZoneStore store;
  private final Consumer<ZoneEvent> events;

  ZoneTable(ZoneStore store, Consumer<ZoneEvent> events) {
    this.store = store;
    this.events = events;
  }

  /** The zone; 404 when this node has none of that id. */
  Zone zone(String id) {
    Zone z = zones.get(id);
    if (z == null) {
      throw DockerException.notFound("No such container: %s", id);
    }
    return z;
  }

  /** The zone, or null. */
  Zone find(String id) {
    return zones.get(id);
  }

  /**
   * Whether {@code z} is still the zone of that id: one taken before its lock may have been removed
   * meanwhile.
   */
  boolean holds(String id, Zone z) {
    return zones.get(id) == z;
  }

  /** Under the zone's lock: 404 when it was removed meanwhile (its lock was the removal's). */
  void stillThere(String id, Zone z) {
    if (!holds(id, z)) {
      throw DockerException.notFound("No such container: %s", id);
    }
  }

  boolean has(String id) {
    return zones.containsKey(id);
  }

  void put(Zone z) {
    zones.put(z.id(), z);
  }

  void remove(String id) {
    zones.remove(id);
  }

  Collection<Zone> all() {
    return zones.values();
  }

  /** The zones of an account that mount a volume. */
  List<String> usersOf(String owner, String volume) {
    return zones.values().stream()
        .map(z -> z.record.spec())
        .filter(
            s ->
                s.owner().equals(owner)
                    && s.mounts().stream()
                        .anyMatch(m -> m.type().equals("volume") && m.source().equals(volume)))
        .map(ContainerSpec::id)
        .collect(Collectors.toList());
  }

  ZoneStore store() {
    return store;
  }

  ZonePaths paths(String id) {
    return store.paths(id);
  }

  /** The zone's record is now {@code rec}, in memory and on disk. */
  void save(Zone z, ZoneRecord rec) {
    z.record = rec;
    store.save(rec);
  }

  /** Publishes a zone event. */
  void publish(String action, ZoneRecord rec) {
    events.accept(new ZoneEvent(action, rec, nowNanos()));
  }

  static String now() {
    return Instant.now().toString();
  }

  static long nowNanos() {
    Instant i = Instant.now();
    return i.getEpochSecond() * 1_000_000_000L + i.getNano();
  }
}
