package org.sdcdocker.agent.exec;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.sdcdocker.agent.zone.LinuxZoneBackend;
import org.sdcdocker.bus.Daemons;
import org.sdcdocker.protocol.agent.AgentEvents.ZoneEvent;
import org.sdcdocker.protocol.agent.HostOptions.Healthcheck;
import org.sdcdocker.protocol.agent.ZoneRecord;
import org.sdcdocker.protocol.agent.ZoneState;

/**
 * Runs each running zone's health check every interval (the first one interval after the start, as
 * Docker), as an exec nobody sees, and records the results in the zone's state.
 */
public final class HealthMonitor {
  private static final long DEFAULT_NANOS = 30_000_000_000L;

  private final LinuxZoneBackend zones;
  private final CapturedExec runs;
  private final ScheduledExecutorService timer =
      Executors.newScheduledThreadPool(2, Daemons.named("health-checks"));
  private final Map<String, ScheduledFuture<?>> checks = new ConcurrentHashMap<>();

  public HealthMonitor(LinuxZoneBackend zones, ExecLauncher execs) {
    this.zones = zones;
    this.runs = new CapturedExec(execs);
  }

  /** Follows the zones' events: a start begins the checks, an end stops them. */
  public void onEvent(ZoneEvent ev) {
    String id = ev.zone().spec().id();
    switch (ev.action()) {
      case "start" -> begin(ev.zone());
      case "die", "destroy" -> stop(id);
      default -> {}
    }
  }

  /** Checks for every zone that runs now (after the agent's own restart). */
  public void adopt(List<ZoneRecord> all) {
    all.stream().filter(z -> z.state().running()).forEach(this::begin);
  }

  private void begin(ZoneRecord z) {
    Healthcheck hc = z.spec().host().healthcheck();
    if (hc == null || !hc.active()) {
      return;
    }
    stop(z.spec().id());
    timer.execute(
        () ->
            zones.updateRun(
                z.spec().id(),
                -1,
                st -> st.withHealth(new ZoneState.Health("starting", 0, List.of())),
                (before, after) -> "update"));
    long interval = hc.intervalNanos() > 0 ? hc.intervalNanos() : DEFAULT_NANOS;
    long generation = z.state().generation();
    Instant started = Instant.now();
    checks.put(
        z.spec().id(),
        timer.scheduleWithFixedDelay(
            () -> check(z, hc, generation, started), interval, interval, TimeUnit.NANOSECONDS));
  }

  private void stop(String id) {
    ScheduledFuture<?> f = checks.remove(id);
    if (f != null) {
      f.cancel(false);
    }
  }

  private void check(ZoneRecord z, Healthcheck hc, long generation, Instant started) {
    List<String> cmd = new ArrayList<>();
    if (hc.test().get(0).equals("CMD-SHELL")) {
      cmd.addAll(
          List.of("/bin/sh", "-c", String.join(" ", hc.test().subList(1, hc.test().size()))));
    } else if (hc.test().get(0).equals("CMD")) {
      cmd.addAll(hc.test().subList(1, hc.test().size()));
    } else {
      cmd.addAll(hc.test());
    }
    long timeout = hc.timeoutNanos() > 0 ? hc.timeoutNanos() : DEFAULT_NANOS;
    String start = Instant.now().toString();
    CapturedExec.Outcome o;
    try {
      o = runs.run(z.spec().id(), cmd, TimeUnit.NANOSECONDS.toMillis(timeout));
    } catch (Exception e) {
      o = new CapturedExec.Outcome(-1, e.getMessage() == null ? e.toString() : e.getMessage());
    }
    boolean inStart =
        hc.startPeriodNanos() > 0
            && Duration.between(started, Instant.now()).toNanos() < hc.startPeriodNanos();
    ZoneState.Probe probe =
        new ZoneState.Probe(start, Instant.now().toString(), o.exitCode(), o.output());
    zones.updateRun(
        z.spec().id(),
        generation,
        st -> st.withHealth(next(st.health(), hc, probe, inStart)),
        (before, after) -> before.equals(after) ? "update" : "health_status");
  }

  /**
   * The health after a probe: healthy on success; unhealthy after retries failures outside the
   * start period.
   */
  static ZoneState.Health next(
      ZoneState.Health h, Healthcheck hc, ZoneState.Probe probe, boolean inStartPeriod) {
    ZoneState.Health now = h == null ? new ZoneState.Health("starting", 0, List.of()) : h;
    List<ZoneState.Probe> log = new ArrayList<>(now.log());
    log.add(probe);
    while (log.size() > 5) {
      log.remove(0);
    }
    if (probe.exitCode() == 0) {
      return new ZoneState.Health("healthy", 0, log);
    }
    if (inStartPeriod) {
      return new ZoneState.Health(now.status(), now.failingStreak(), log);
    }
    int streak = now.failingStreak() + 1;
    String status = streak >= (hc.retries() > 0 ? hc.retries() : 3) ? "unhealthy" : now.status();
    return new ZoneState.Health(status, streak, log);
  }

  public void close() {
    timer.shutdownNow();
  }
}
