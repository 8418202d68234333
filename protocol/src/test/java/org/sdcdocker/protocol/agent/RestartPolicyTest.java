package org.sdcdocker.protocol.agent;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RestartPolicyTest {
  @Test
  void afterAnExit_asTheDivergenceDocumentSays() {
    assertThat(RestartPolicy.NO.restartsAfter(1, 0, false)).isFalse();
    RestartPolicy always = new RestartPolicy("always", 0);
    assertThat(always.restartsAfter(0, 5, false)).isTrue();
    assertThat(always.restartsAfter(0, 5, true))
        .as("a manual stop ends always until the next start")
        .isFalse();
    RestartPolicy onFailure = new RestartPolicy("on-failure", 2);
    assertThat(onFailure.restartsAfter(0, 0, false)).isFalse();
    assertThat(onFailure.restartsAfter(3, 1, false)).isTrue();
    assertThat(onFailure.restartsAfter(3, 2, false)).as("gives up after N").isFalse();
    assertThat(new RestartPolicy("on-failure", 0).restartsAfter(137, 99, false)).isTrue();
  }

  @Test
  void atBoot_onlyWhatWasRunningAndQualifies() {
    assertThat(RestartPolicy.NO.startsAtBoot(255, 0)).isFalse();
    assertThat(new RestartPolicy("always", 0).startsAtBoot(0, 0)).isTrue();
    assertThat(new RestartPolicy("on-failure", 0).startsAtBoot(255, 0)).isTrue();
    assertThat(new RestartPolicy("on-failure", 0).startsAtBoot(0, 0)).isFalse();
  }

  @Test
  void delay_doublesFrom100msUpToAMinute() {
    assertThat(RestartPolicy.delayMillis(0)).isEqualTo(100);
    assertThat(RestartPolicy.delayMillis(1)).isEqualTo(200);
    assertThat(RestartPolicy.delayMillis(3)).isEqualTo(800);
    assertThat(RestartPolicy.delayMillis(30)).isEqualTo(60_000);
  }
}
