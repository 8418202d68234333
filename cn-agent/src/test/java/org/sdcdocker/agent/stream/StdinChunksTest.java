package org.sdcdocker.agent.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StdinChunksTest {
  @Test
  void chunksSplitAnywhere_areDecodedWhole_andZeroIsTheEnd() throws Exception {
    Buffer wire =
        Buffer.buffer()
            .appendInt(3)
            .appendString("abc")
            .appendInt(2)
            .appendString("de")
            .appendInt(0);
    List<String> got = new ArrayList<>();
    StdinChunks chunks = new StdinChunks();
    StdinChunks.Sink sink =
        new StdinChunks.Sink() {
          @Override
          public void data(byte[] bytes) {
            got.add(new String(bytes));
          }

          @Override
          public void end() {
            got.add("<end>");
          }
        };
    for (int i = 0; i < wire.length(); i += 3) {
      chunks.feed(wire.getBuffer(i, Math.min(i + 3, wire.length())), sink);
    }
    assertThat(got).containsExactly("abc", "de", "<end>");
  }
}
