package org.sdcdocker.agent.stream;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.LongConsumer;
import org.sdcdocker.agent.sys.SeqpacketNative;
import org.sdcdocker.agent.zone.LinuxZoneBackend;
import org.sdcdocker.bus.Daemons;

/**
 * An attach with stdin: output as for any attach (the run's log, followed), input through conmon's
 * attach socket, which exists once the zone runs. The front end sends input as length-prefixed
 * chunks, an empty chunk for its end (conmon then closes the zone's stdin when the container was
 * created with StdinOnce).
 */
final class AttachSession {
  private static final long CONNECT_WAIT_MILLIS = 30_000;

  private final LinuxZoneBackend zones;
  private final String id;
  private final NetSocket socket;
  private final ExecutorService pool;
  private final ExecutorService input =
      Executors.newSingleThreadExecutor(Daemons.named("attach-stdin"));
  private final StdinChunks chunks = new StdinChunks();
  private final Path relay;
  private LongConsumer acks = n -> {};
  private long delivered;
  private SeqpacketNative conmon;
  private boolean viaRelay;
  private volatile boolean closed;

  /**
   * With {@code relay}, a StdinOnce zone's input goes through its stdin relay (null: straight to
   * conmon).
   */
  AttachSession(
      LinuxZoneBackend zones, String id, NetSocket socket, ExecutorService pool, Path relay) {
    this.zones = zones;
    this.id = id;
    this.socket = socket;
    this.pool = pool;
    this.relay = relay;
  }

  /**
   * Tells the front end how much of its input reached the zone (a resumable stream's
   * acknowledgements).
   */
  AttachSession acks(LongConsumer a) {
    this.acks = a;
    return this;
  }

  void run(LogFollower output) {
    socket.pause();
    socket.handler(buf -> onInput(() -> feed(buf)));
    socket.closeHandler(
        v -> {
          closed = true;
          finish();
        });
    pool.execute(
        () -> {
          output.run();
          finish();
        });
    socket.resume();
  }

  /** Input work, in order, on the input thread; none once the session is over. */
  private void onInput(Runnable work) {
    try {
      input.execute(work);
    } catch (RejectedExecutionException over) {
      // the session has ended: late input is dropped
    }
  }

  /** Ends the session once (the client left, or the run's output ended). */
  private synchronized void finish() {
    if (!input.isShutdown()) {
      onInput(this::close);
      input.shutdown();
    }
  }

  /** The attach socket, once conmon made it (the zone may be started after the attach). */
  private SeqpacketNative conmon() throws InterruptedException {
    if (conmon == null) {
      Path sock = zones.paths(id).dir().resolve("attach");
      long deadline = System.currentTimeMillis() + CONNECT_WAIT_MILLIS;
      while (!Files.exists(sock) && !closed && System.currentTimeMillis() < deadline) {
        Thread.sleep(10);
      }
      viaRelay = relay != null && zones.get(id).spec().stdinOnce() && Files.exists(sock);
      conmon =
          viaRelay
              ? StdinRelay.connect(relay, sock.getParent())
              : SeqpacketNative.connectIn(sock.getParent().toString(), "attach");
    }
    return conmon;
  }

  private void feed(Buffer buf) {
    try {
      chunks.feed(
          buf,
          new StdinChunks.Sink() {
            @Override
            public void data(byte[] bytes) throws InterruptedException {
              SeqpacketNative c = conmon();
              c.write(viaRelay ? StdinRelay.data(bytes) : bytes);
              delivered += 4 + bytes.length;
              acks.accept(delivered);
            }

            @Override
            public void end() throws InterruptedException {
              SeqpacketNative c = conmon();
              if (viaRelay) {
                c.write(StdinRelay.end());
              } else {
                c.shutdownOutput();
              }
              delivered += 4;
              acks.accept(delivered);
            }
          });
    } catch (Exception e) {
      chunks.drop();
      if (conmon == null) {
        socket.close(); // no way to the zone's input: a client waiting on it must not wait forever
      } // else the zone closed its input: what else comes is dropped, as Docker does
    }
  }

  private void close() {
    if (conmon != null) {
      conmon.close();
    }
  }
}
