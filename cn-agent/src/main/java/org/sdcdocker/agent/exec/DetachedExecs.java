package org.sdcdocker.agent.exec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.ObjIntConsumer;
import org.sdcdocker.bus.Daemons;

/**
 * Execs started without a client, each under its own conmon: watched until conmon writes its exit
 * file (or its files vanish with its zone), then their end is recorded.
 */
final class DetachedExecs {
  private final ConcurrentHashMap<String, ExecLauncher.ConmonExec> detached =
      new ConcurrentHashMap<>();
  private final ObjIntConsumer<String> finished;
  private ScheduledExecutorService watcher;

  /** {@code finished} gets each exec's id and exit code. */
  DetachedExecs(ObjIntConsumer<String> finished) {
    this.finished = finished;
  }

  /** Watches a started exec. */
  synchronized void watch(String execId, ExecLauncher.ConmonExec exec) {
    detached.put(execId, exec);
    if (watcher == null) {
      watcher = Executors.newSingleThreadScheduledExecutor(Daemons.named("detached-execs"));
      watcher.scheduleWithFixedDelay(this::sweepDetached, 20, 50, TimeUnit.MILLISECONDS);
    }
  }

  /** Records the end of every detached exec whose exit file appeared (or whose conmon vanished). */
  private void sweepDetached() {
    for (var e : detached.entrySet()) {
      ExecLauncher.ConmonExec t = e.getValue();
      try {
        Path f = t.exitFile();
        Integer code = null;
        if (Files.exists(f)) {
          String v = Files.readString(f).trim();
          code = v.isEmpty() ? null : Integer.parseInt(v);
        } else if (!Files.exists(Path.of("/proc", Integer.toString(t.pid())))
            && !Files.exists(t.bundle().resolve("conmon.pid"))) {
          code = 255; // its zone and files were removed meanwhile
        }
        if (code != null) {
          detached.remove(e.getKey());
          finished.accept(e.getKey(), code);
        }
      } catch (IOException | RuntimeException ex) {
        // looked at again at the next sweep
      }
    }
  }

  /** Stops watching (the agent stops; the execs run on). */
  synchronized void close() {
    if (watcher != null) {
      watcher.shutdownNow();
    }
  }
}
