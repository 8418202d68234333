package org.sdcdocker.protocol.agent;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageCodec;
import java.nio.charset.StandardCharsets;
import org.sdcdocker.protocol.Json;

/**
 * The one codec for every protocol record: the class name, then its JSON. Locally the record
 * itself is passed (records are immutable), so nothing is encoded inside one JVM.
 */
public final class ProtocolCodec implements MessageCodec<Record, Record> {
  public static final String NAME = "sdc-protocol";

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
    return r.getClass().getName().startsWith("org.sdcdocker.protocol.");
  }

  @Override
  public void encodeToWire(Buffer buffer, Record r) {
    byte[] type = r.getClass().getName().getBytes(StandardCharsets.UTF_8);
    byte[] json = Json.bytes(r);
    buffer.appendInt(type.length).appendBytes(type).appendInt(json.length).appendBytes(json);
  }

  @Override
  public Record decodeFromWire(int pos, Buffer buffer) {
    int typeLen = buffer.getInt(pos);
    String type = buffer.getString(pos + 4, pos + 4 + typeLen, "UTF-8");
    int jsonPos = pos + 4 + typeLen;
    int jsonLen = buffer.getInt(jsonPos);
    byte[] json = buffer.getBytes(jsonPos + 4, jsonPos + 4 + jsonLen);
    try {
      Class<?> cls = Class.forName(type);
      if (!Record.class.isAssignableFrom(cls) || !type.startsWith("org.sdcdocker.protocol.")) {
        throw new IllegalArgumentException("not a protocol record: " + type);
      }
      return (Record) Json.decode(json, cls);
    } catch (ClassNotFoundException e) {
      throw new IllegalArgumentException("unknown protocol record: " + type, e);
    }
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
