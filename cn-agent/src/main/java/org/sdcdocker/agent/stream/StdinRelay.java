package org.sdcdocker.agent.stream;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.sdcdocker.agent.sys.SeqpacketNative;
import org.sdcdocker.agent.sys.SyscallException;
import org.sdcdocker.protocol.DockerException;

/**
 * The way to a StdinOnce zone's stdin that outlives the agent: the zone's {@code stdin-relay}
 * (dockerinit/src/stdin-relay.c) keeps the connection to conmon's attach socket, so conmon does not
 * close the zone's stdin when an agent goes away; only an explicit end does.
 */
final class StdinRelay {
  private static final long START_WAIT_MILLIS = 2000;

  private StdinRelay() {}

  /** A connection to the zone's relay, started when it has none (or only a stale socket). */
  static SeqpacketNative connect(Path relay, Path zoneDir) throws InterruptedException {
    Path sock = zoneDir.resolve("stdin.sock");
    synchronized (StdinRelay.class) {
      for (int attempt = 0; attempt < 2; attempt++) {
        if (!Files.exists(sock)) {
          start(relay, zoneDir, sock);
        }
        try {
          return SeqpacketNative.connectIn(zoneDir.toString(), "stdin.sock");
        } catch (SyscallException refused) {
          try {
            Files.deleteIfExists(sock); // left by a relay that died with its node
          } catch (IOException e) {
            throw DockerException.internal(
                "removing a stale stdin relay socket: %s", e.getMessage());
          }
        }
      }
    }
    throw DockerException.internal("the stdin relay of %s did not answer", zoneDir.getFileName());
  }

  private static void start(Path relay, Path zoneDir, Path sock) throws InterruptedException {
    try {
      new ProcessBuilder(relay.toString(), zoneDir.toString())
          .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .redirectError(ProcessBuilder.Redirect.DISCARD)
          .start();
    } catch (IOException e) {
      throw DockerException.internal("starting the stdin relay: %s", e.getMessage());
    }
    long deadline = System.currentTimeMillis() + START_WAIT_MILLIS;
    while (!Files.exists(sock) && System.currentTimeMillis() < deadline) {
      Thread.sleep(2);
    }
  }

  /** Input for the zone, as the relay takes it. */
  static byte[] data(byte[] bytes) {
    byte[] out = new byte[bytes.length + 1];
    out[0] = 'd';
    System.arraycopy(bytes, 0, out, 1, bytes.length);
    return out;
  }

  /** The end of the zone's input. */
  static byte[] end() {
    return new byte[] {'e'};
  }
}
