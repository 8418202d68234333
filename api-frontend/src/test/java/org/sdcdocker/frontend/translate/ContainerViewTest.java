package org.sdcdocker.frontend.translate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sdcdocker.protocol.agent.ZoneState;

class ContainerViewTest {
  @Test
  void humanDurations_asGoUnits() {
    assertThat(ContainerView.human(Duration.ofMillis(300))).isEqualTo("Less than a second");
    assertThat(ContainerView.human(Duration.ofSeconds(1))).isEqualTo("1 second");
    assertThat(ContainerView.human(Duration.ofSeconds(42))).isEqualTo("42 seconds");
    assertThat(ContainerView.human(Duration.ofSeconds(61))).isEqualTo("About a minute");
    assertThat(ContainerView.human(Duration.ofMinutes(5))).isEqualTo("5 minutes");
    assertThat(ContainerView.human(Duration.ofMinutes(61))).isEqualTo("About an hour");
    assertThat(ContainerView.human(Duration.ofHours(5))).isEqualTo("5 hours");
    assertThat(ContainerView.human(Duration.ofDays(3))).isEqualTo("3 days");
  }

  @Test
  void status_asDockerPsShowsIt() {
    Instant now = Instant.parse("2026-01-01T00:01:00Z");
    ZoneState run = ZoneState.created().started(5, "2026-01-01T00:00:57Z");
    assertThat(ContainerView.status(run, now)).isEqualTo("Up 3 seconds");
    assertThat(ContainerView.status(run.exited(137, "2026-01-01T00:00:58Z"), now))
        .isEqualTo("Exited (137) 2 seconds ago");
    assertThat(ContainerView.status(ZoneState.created(), now)).isEqualTo("Created");
  }

  @Test
  void env_imageThenRequestByName() {
    assertThat(CreateTranslator.mergeEnv(List.of("PATH=/bin", "A=1"), List.of("A=2", "B=3")))
        .containsExactly("PATH=/bin", "A=2", "B=3");
  }

  @Test
  void names_asDockerAllowsThem() {
    assertThat(Names.validate("/web-1")).isEqualTo("web-1");
    assertThat(Names.validate("a.b_c")).isEqualTo("a.b_c");
    assertThatThrownBy(() -> Names.validate("x"))
        .hasMessageContaining("Invalid container name (x)");
    assertThatThrownBy(() -> Names.validate("-x")).hasMessageContaining("Invalid container name");
    assertThat(Names.random()).matches("[a-z]+_[a-z]+[0-9]*");
  }
}
