package org.sdcdocker.agent.zone;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import org.sdcdocker.protocol.agent.ZoneRecord;
import org.sdcdocker.protocol.agent.ZoneState;

/**
 * One zone in memory: its record and the future of its current run's end. Its monitor is the zone's
 * lock: every read of its state and what depends on it happens under it.
 */
final class Zone {
  volatile ZoneRecord record;
  volatile CompletableFuture<ZoneState> exit = new CompletableFuture<>();

  /** The restart a policy scheduled, while its delay runs. */
  volatile ScheduledFuture<?> pendingRestart;

  /** The run's first process while the zone runs; the only way it is signalled. */
  ZoneProcess process;

  Zone(ZoneRecord record) {
    this.record = record;
  }

  String id() {
    return record.spec().id();
  }

  /** The zone's process is now {@code next} (null: none); the one before is let go. */
  void replaceProcess(ZoneProcess next) {
    if (process != null) {
      process.close();
    }
    process = next;
  }

  /** Cancels the restart a policy scheduled, if one waits. */
  void cancelRestart() {
    ScheduledFuture<?> f = pendingRestart;
    if (f != null) {
      f.cancel(false);
      pendingRestart = null;
    }
  }
}
