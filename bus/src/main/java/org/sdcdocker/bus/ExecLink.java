package org.sdcdocker.bus;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import java.nio.charset.StandardCharsets;
import java.util.function.BiConsumer;
import org.sdcdocker.protocol.DockerException;
import org.sdcdocker.protocol.ErrorKind;
import org.sdcdocker.protocol.Json;

/**
 * An exec link on an agent's data plane: a connection the front end keeps ready. To start an exec
 * it sends one line, the exec's id; the agent answers one line, {@link #OK} or {@code error KIND
 * "message"} ({@link #refusal}); after {@code ok} the connection is the exec's stdio.
 */
public final class ExecLink {
  /** The agent's answer when the exec started. */
  public static final String OK = "ok";

  private static final int MAX_LINE = 4096;

  private ExecLink() {}

  /**
   * Reads the socket's first line, then pauses it and gives the line and what came after it
   * (already read) to {@code then}; a line longer than any of ours closes the socket.
   */
  public static void readLine(NetSocket sock, BiConsumer<String, Buffer> then) {
    Buffer got = Buffer.buffer();
    sock.handler(
        buf -> {
          int from = got.length();
          got.appendBuffer(buf);
          int nl = -1;
          for (int i = from; i < got.length(); i++) {
            if (got.getByte(i) == '\n') {
              nl = i;
              break;
            }
          }
          if (nl < 0) {
            if (got.length() > MAX_LINE) {
              sock.close();
            }
            return;
          }
          sock.pause();
          sock.handler(null);
          then.accept(
              got.getString(0, nl, StandardCharsets.UTF_8.name()),
              got.getBuffer(nl + 1, got.length()));
        });
  }

  /** The answer line refusing a start with the agent's error. */
  public static String refusal(DockerException e) {
    return "error " + e.kind().name() + " " + Json.encode(e.getMessage());
  }

  /** The error an answer line other than {@link #OK} stands for. */
  public static DockerException refused(String line) {
    String[] f = line.split(" ", 3);
    if (f.length == 3 && f[0].equals("error")) {
      try {
        return new DockerException(ErrorKind.valueOf(f[1]), Json.decode(f[2], String.class));
      } catch (RuntimeException e) {
        // not an answer of ours
      }
    }
    return DockerException.internal("the agent answered the exec start with: %s", line);
  }
}
