package org.sdcdocker.agent.stream;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.WriteStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/**
 * For the threads that write the data plane's streams: wait until the stream's write queue has room
 * again, woken by its drain handler, not by polling.
 */
final class Backpressure {
  private Backpressure() {}

  /** Returns once {@code out} can take more, or {@code closed} says the reader left. */
  static void awaitRoom(WriteStream<Buffer> out, BooleanSupplier closed)
      throws InterruptedException {
    while (out.writeQueueFull() && !closed.getAsBoolean()) {
      CompletableFuture<Void> drained = new CompletableFuture<>();
      out.drainHandler(v -> drained.complete(null));
      if (!out.writeQueueFull()) {
        return; // it drained between the check and the handler
      }
      try {
        drained.get(200, TimeUnit.MILLISECONDS); // and look again: a closed reader never drains
      } catch (TimeoutException e) {
        // re-check
      } catch (ExecutionException e) {
        return;
      }
    }
  }
}
