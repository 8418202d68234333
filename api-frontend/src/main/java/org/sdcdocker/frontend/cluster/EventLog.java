package org.sdcdocker.frontend.cluster;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.sdcdocker.protocol.agent.FrontendEvents.DockerEvent;
import org.sdcdocker.protocol.agent.ZoneRecord;

/**
 * What {@code docker events} shows: every container and image event of every account, kept (the
 * newest {@value #CAPACITY}) so {@code --since} works after the fact, and handed to live listeners.
 * Events come two ways: those of containers from the agents, which every front end receives and
 * {@link #apply applies}; those a front end causes itself ({@link #add}), which a front end of a
 * fleet {@link #broadcasting publishes} to every front end, itself too, so each keeps the same
 * events. Touched only on the front end's event loop.
 */
public final class EventLog {
  static final int CAPACITY = 10_000;

  /** Docker's JSON shape of an event. */
  public static Map<String, Object> toJson(DockerEvent e) {
    Map<String, Object> m = new LinkedHashMap<>();
    if (e.type().equals("container")) {
      m.put("status", e.action());
      m.put("id", e.actorId());
      m.put("from", e.attributes().getOrDefault("image", ""));
    } else if (e.type().equals("image") || e.type().equals("volume")) {
      m.put("status", e.action());
      m.put("id", e.actorId());
    }
    m.put("Type", e.type());
    m.put("Action", e.action());
    m.put("Actor", Map.of("ID", e.actorId(), "Attributes", e.attributes()));
    m.put("scope", "local");
    m.put("time", e.timeNano() / 1_000_000_000L);
    m.put("timeNano", e.timeNano());
    return m;
  }

  /** The kept events and the live listeners, shared by the views of one log. */
  private static final class Store {
    final ArrayDeque<DockerEvent> kept = new ArrayDeque<>();
    final List<Listener> listeners = new ArrayList<>();
  }

  private final Store store;

  /** How an event this front end causes enters: applied here, or published to all. */
  private final Consumer<DockerEvent> entry;

  /** A live reader of events. */
  private record Listener(Predicate<DockerEvent> filter, Consumer<DockerEvent> sink) {}

  public EventLog() {
    this.store = new Store();
    this.entry = this::apply;
  }

  private EventLog(Store store, Consumer<DockerEvent> entry) {
    this.store = store;
    this.entry = entry;
  }

  /**
   * The same log, whose added events go to {@code publish} (which brings them back to {@link
   * #apply} on every front end).
   */
  public EventLog broadcasting(Consumer<DockerEvent> publish) {
    return new EventLog(store, publish);
  }

  /** The same log, whose added events are applied here only (the agents' events). */
  EventLog local() {
    return new EventLog(store, this::apply);
  }

  /** Records an event this front end caused. */
  public void add(DockerEvent e) {
    entry.accept(e);
  }

  /** Keeps and hands out an event (from an agent, or from a front end, this one too). */
  public void apply(DockerEvent e) {
    store.kept.addLast(e);
    if (store.kept.size() > CAPACITY) {
      store.kept.removeFirst();
    }
    for (Listener l : List.copyOf(store.listeners)) {
      if (l.filter().test(e)) {
        l.sink().accept(e);
      }
    }
  }

  /**
   * Events kept elsewhere (on this front end's disk, or by a running front end), for one that
   * starts: merged with those kept here, each once, in their time's order, the newest {@value
   * #CAPACITY} kept (nobody listens yet).
   */
  public void seed(List<DockerEvent> others) {
    Set<DockerEvent> all = new LinkedHashSet<>(store.kept);
    all.addAll(others);
    List<DockerEvent> sorted = new ArrayList<>(all);
    sorted.sort(Comparator.comparingLong(DockerEvent::timeNano)); // stable: equal times keep order
    store.kept.clear();
    store.kept.addAll(sorted.subList(Math.max(0, sorted.size() - CAPACITY), sorted.size()));
  }

  /** A container event, with Docker's attributes: image, name, the labels, and any extra. */
  public void container(String action, ZoneRecord r, long timeNano, Map<String, String> extra) {
    Map<String, String> attrs = new LinkedHashMap<>(r.spec().labels());
    attrs.put("image", r.spec().image());
    attrs.put("name", r.spec().name());
    attrs.putAll(extra);
    add(new DockerEvent(r.spec().owner(), "container", action, r.spec().id(), attrs, timeNano));
  }

  /** An image event such as pull. */
  public void image(String account, String action, String ref, String name) {
    add(new DockerEvent(account, "image", action, ref, Map.of("name", name), now()));
  }

  /** The newest {@code n} kept events, newest first (without copying the rest). */
  public List<DockerEvent> newest(int n) {
    List<DockerEvent> out = new ArrayList<>(n);
    for (var it = store.kept.descendingIterator(); it.hasNext() && out.size() < n; ) {
      out.add(it.next());
    }
    return out;
  }

  /** The kept events that match, oldest first. */
  public List<DockerEvent> history(Predicate<DockerEvent> filter) {
    return store.kept.stream().filter(filter).toList();
  }

  /** Starts handing matching events to a sink; the returned handle stops it. */
  public Runnable listen(Predicate<DockerEvent> filter, Consumer<DockerEvent> sink) {
    Listener l = new Listener(filter, sink);
    store.listeners.add(l);
    return () -> store.listeners.remove(l);
  }

  public static long now() {
    Instant i = Instant.now();
    return i.getEpochSecond() * 1_000_000_000L + i.getNano();
  }
}
