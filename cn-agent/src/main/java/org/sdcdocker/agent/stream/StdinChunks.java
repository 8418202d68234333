package org.sdcdocker.agent.stream;

import io.vertx.core.buffer.Buffer;

/**
 * The front end's framing of a client's input on the data plane: a 4-byte big-endian length, then
 * that many bytes; a length of zero is the end of the input.
 */
final class StdinChunks {
  /** Where decoded input goes. */
  interface Sink {
    void data(byte[] bytes) throws Exception;

    void end() throws Exception;
  }

  private Buffer pending = Buffer.buffer();

  /** Takes what arrived and hands on every whole chunk. */
  void feed(Buffer buf, Sink sink) throws Exception {
    pending.appendBuffer(buf);
    while (pending.length() >= 4 && pending.length() >= 4 + pending.getInt(0)) {
      int len = pending.getInt(0);
      byte[] data = pending.getBytes(4, 4 + len);
      pending = pending.getBuffer(4 + len, pending.length());
      if (len == 0) {
        sink.end();
      } else {
        sink.data(data);
      }
    }
  }

  /** Forgets what is pending (the input's receiver is gone). */
  void drop() {
    pending = Buffer.buffer();
  }
}
