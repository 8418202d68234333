package org.sdcdocker.agent.exec;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.sdcdocker.protocol.agent.HostOptions.Healthcheck;
import org.sdcdocker.protocol.agent.ZoneState;

class HealthMonitorTest {
  private final Healthcheck hc = new Healthcheck(List.of("CMD", "true"), 0, 0, 2, 0);

  static ZoneState.Probe probe(int code) {
    return new ZoneState.Probe("s", "e", code, "");
  }

  @Test
  void unhealthyOnlyAfterRetriesFailures_healthyAtOnce() {
    ZoneState.Health h = HealthMonitor.next(null, hc, probe(1), false);
    assertThat(h.status()).isEqualTo("starting");
    assertThat(h.failingStreak()).isEqualTo(1);
    h = HealthMonitor.next(h, hc, probe(1), false);
    assertThat(h.status()).isEqualTo("unhealthy");
    h = HealthMonitor.next(h, hc, probe(0), false);
    assertThat(h.status()).isEqualTo("healthy");
    assertThat(h.failingStreak()).isZero();
  }

  @Test
  void failuresInTheStartPeriod_doNotCount_andTheLogKeepsFive() {
    ZoneState.Health h = null;
    for (int i = 0; i < 7; i++) {
      h = HealthMonitor.next(h, hc, probe(1), true);
    }
    assertThat(h.status()).isEqualTo("starting");
    assertThat(h.failingStreak()).isZero();
    assertThat(h.log()).hasSize(5);
  }

  @Test
  void timeouts_arePrintedAsGoDurations() {
    assertThat(CapturedExec.goDuration(300_000_000L)).isEqualTo("300ms");
    assertThat(CapturedExec.goDuration(2_000_000_000L)).isEqualTo("2s");
    assertThat(CapturedExec.goDuration(1_500_000_000L)).isEqualTo("1.5s");
    assertThat(CapturedExec.goDuration(90_000_000_000L)).isEqualTo("1m30s");
    assertThat(CapturedExec.goDuration(3_600_000_000_000L)).isEqualTo("1h0m0s");
    assertThat(CapturedExec.goDuration(1_500_000L)).isEqualTo("1.5ms");
  }
}
