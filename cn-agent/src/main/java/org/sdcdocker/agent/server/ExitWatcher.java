package org.sdcdocker.agent.server;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.concurrent.TimeUnit;
import org.sdcdocker.agent.zone.LinuxZoneBackend;
import org.sdcdocker.protocol.ContainerId;

/**
 * Watches conmon's exit directory (inotify) and tells the backend when a zone's exit file appears;
 * a sweep every second catches anything the watch missed.
 */
final class ExitWatcher implements AutoCloseable {
  private final Path dir;
  private final LinuxZoneBackend zones;
  private final WatchService watch;
  private final Thread thread;
  private volatile boolean stopped;

  ExitWatcher(Path dir, LinuxZoneBackend zones) throws IOException {
    this.dir = dir;
    this.zones = zones;
    this.watch = FileSystems.getDefault().newWatchService();
    dir.register(watch, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY);
    this.thread = new Thread(this::loop, "exit-watcher");
    thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  private void loop() {
    while (!stopped) {
      try {
        WatchKey key = watch.poll(1, TimeUnit.SECONDS);
        if (key != null) {
          for (WatchEvent<?> ev : key.pollEvents()) {
            if (ev.context() instanceof Path p && ContainerId.is(p.toString())) {
              zones.onExit(p.toString());
            }
          }
          key.reset();
        }
        for (String id : zones.running()) {
          if (dir.resolve(id).toFile().exists()) {
            zones.onExit(id);
          }
        }
        zones.rotateLogs();
      } catch (ClosedWatchServiceException | InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        // one zone's trouble must not stop the watch of the others
      }
    }
  }

  @Override
  public void close() throws IOException {
    stopped = true;
    watch.close();
  }
}
