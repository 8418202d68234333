package org.sdcdocker.frontend.cluster;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.sdcdocker.protocol.agent.ZoneRecord;

/**
 * What {@code docker events} shows: every container and image event of every account, kept (the
 * newest {@value #CAPACITY}) so {@code --since} works after the fact, and handed to live listeners.
 * Touched only on the front end's event loop.
 */
public final class EventLog {
  static final int CAPACITY = 10_000;

  /** One event: whose it is, and Docker's fields. */
  public record Event(
      String account,
      String type,
      String action,
      String actorId,
      Map<String, String> attributes,
      long timeNano) {
    /** Docker's JSON shape of the event. */
    public Map<String, Object> toJson() {
      Map<String, Object> m = new LinkedHashMap<>();
      if (type.equals("container")) {
        m.put("status", action);
        m.put("id", actorId);
        m.put("from", attributes.getOrDefault("image", ""));
      } else if (type.equals("image") || type.equals("volume")) {
        m.put("status", action);
        m.put("id", actorId);
      }
      m.put("Type", type);
      m.put("Action", action);
      m.put("Actor", Map.of("ID", actorId, "Attributes", attributes));
      m.put("scope", "local");
      m.put("time", timeNano / 1_000_000_000L);
      m.put("timeNano", timeNano);
      return m;
    }
  }

  private final ArrayDeque<Event> kept = new ArrayDeque<>();
  private final List<Listener> listeners = new ArrayList<>();

  /** A live reader of events. */
  private record Listener(Predicate<Event> filter, Consumer<Event> sink) {}

  /** Records and hands out an event. */
  public void add(Event e) {
    kept.addLast(e);
    if (kept.size() > CAPACITY) {
      kept.removeFirst();
    }
    for (Listener l : List.copyOf(listeners)) {
      if (l.filter().test(e)) {
        l.sink().accept(e);
      }
    }
  }

  /** A container event, with Docker's attributes: image, name, the labels, and any extra. */
  public void container(String action, ZoneRecord r, long timeNano, Map<String, String> extra) {
    Map<String, String> attrs = new LinkedHashMap<>(r.spec().labels());
    attrs.put("image", r.spec().image());
    attrs.put("name", r.spec().name());
    attrs.putAll(extra);
    add(new Event(r.spec().owner(), "container", action, r.spec().id(), attrs, timeNano));
  }

  /** An image event such as pull. */
  public void image(String account, String action, String ref, String name) {
    add(new Event(account, "image", action, ref, Map.of("name", name), now()));
  }

  /** The kept events that match, oldest first. */
  public List<Event> history(Predicate<Event> filter) {
    return kept.stream().filter(filter).toList();
  }

  /** Starts handing matching events to a sink; the returned handle stops it. */
  public Runnable listen(Predicate<Event> filter, Consumer<Event> sink) {
    Listener l = new Listener(filter, sink);
    listeners.add(l);
    return () -> listeners.remove(l);
  }

  public static long now() {
    Instant i = Instant.now();
    return i.getEpochSecond() * 1_000_000_000L + i.getNano();
  }
}
