package org.sdcdocker.bus;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageCodec;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.sdcdocker.protocol.Json;
import org.sdcdocker.protocol.agent.AgentEvents;
import org.sdcdocker.protocol.agent.FrontendEvents;
import org.sdcdocker.protocol.agent.FrontendRequests;
import org.sdcdocker.protocol.agent.Verb;
import org.sdcdocker.protocol.agent.Verbs;

/**
 * The one codec for every protocol record: the record's name, then its JSON. Locally the record
 * itself is passed (records are immutable), so nothing is encoded inside one JVM. Only the closed
 * set of records below is encoded or decoded: a name from the wire is looked up, never loaded.
 */
public final class ProtocolCodec implements MessageCodec<Record, Record> {
  public static final String NAME = "sdc-protocol";

  private static final Map<String, Class<? extends Record>> TYPES = closedSet();

  /**
   * Every verb's request and reply, the events agents publish, and what front ends tell each other.
   */
  private static Map<String, Class<? extends Record>> closedSet() {
    Map<String, Class<? extends Record>> types = new HashMap<>();
    for (Verb<?, ?> v : Verbs.ALL) {
      types.put(v.request().getName(), v.request().asSubclass(Record.class));
      types.put(v.reply().getName(), v.reply().asSubclass(Record.class));
    }
    for (Class<?> holder :
        List.of(AgentEvents.class, FrontendEvents.class, FrontendRequests.class)) {
      for (Class<?> c : holder.getDeclaredClasses()) {
        if (c.isRecord()) {
          types.put(c.getName(), c.asSubclass(Record.class));
        }
      }
    }
    return Map.copyOf(types);
  }

  /** The names of the records this codec carries. */
  static Set<String> names() {
    return TYPES.keySet();
  }

  /** Registers the codec and selects it for every protocol record. */
  public static void install(EventBus bus) {
    bus.registerCodec(new ProtocolCodec());
    bus.codecSelector(body -> body instanceof Record r && isProtocol(r) ? NAME : null);
  }

  /** Installs the codec unless this event bus has it already (front end and agent in one JVM). */
  public static void installOnce(EventBus bus) {
    try {
      install(bus);
    } catch (IllegalStateException alreadyRegistered) {
      // both sides share one bus in the embedded default
    }
  }

  private static boolean isProtocol(Record r) {
    return TYPES.get(r.getClass().getName()) == r.getClass();
  }

  @Override
  public void encodeToWire(Buffer buffer, Record r) {
    if (!isProtocol(r)) {
      throw new IllegalArgumentException("not a protocol record: " + r.getClass().getName());
    }
    byte[] type = r.getClass().getName().getBytes(StandardCharsets.UTF_8);
    byte[] json = Json.bytes(r);
    buffer.appendInt(type.length).appendBytes(type).appendInt(json.length).appendBytes(json);
  }

  @Override
  public Record decodeFromWire(int pos, Buffer buffer) {
    int typeLen = buffer.getInt(pos);
    if (typeLen <= 0 || typeLen > 200) {
      throw new IllegalArgumentException("not a protocol message");
    }
    String type = buffer.getString(pos + 4, pos + 4 + typeLen, "UTF-8");
    Class<? extends Record> cls = TYPES.get(type);
    if (cls == null) {
      throw new IllegalArgumentException("not a protocol record: " + type);
    }
    int jsonPos = pos + 4 + typeLen;
    int jsonLen = buffer.getInt(jsonPos);
    byte[] json = buffer.getBytes(jsonPos + 4, jsonPos + 4 + jsonLen);
    return Json.decode(json, cls);
  }

  @Override
  public Record transform(Record r) {
    return r;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public byte systemCodecID() {
    return -1;
  }
}
