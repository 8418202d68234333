package org.sdcdocker.frontend.endpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.sdcdocker.protocol.agent.ContainerSpec;
import org.sdcdocker.protocol.agent.ZoneRecord;
import org.sdcdocker.protocol.agent.ZoneState;

class SignalsAndFiltersTest {
  @Test
  void signals_byNameNumberOrRealtimeOffset() {
    assertThat(Signals.parse("SIGKILL")).isEqualTo(9);
    assertThat(Signals.parse("term")).isEqualTo(15);
    assertThat(Signals.parse("10")).isEqualTo(10);
    assertThat(Signals.parse(null)).isEqualTo(9);
    assertThat(Signals.parse("RTMIN+3")).isEqualTo(37);
    assertThatThrownBy(() -> Signals.parse("SIGNOPE")).hasMessage("Invalid signal: SIGNOPE");
    assertThatThrownBy(() -> Signals.parse("99")).hasMessage("Invalid signal: 99");
  }

  static ZoneRecord rec(String name, Map<String, String> labels, ZoneState st) {
    return new ZoneRecord(
        "cn",
        new ContainerSpec(
            "abc" + "0".repeat(61),
            name,
            "a",
            "img",
            "sha256:x",
            List.of(),
            List.of(),
            List.of("true"),
            List.of(),
            "",
            "",
            "h",
            "",
            labels,
            false,
            false,
            false,
            false,
            null,
            null,
            "2026-01-01T00:00:00Z",
            List.of(),
            null),
        st);
  }

  @Test
  void filters_bothShapesAndEveryKey() {
    ZoneRecord web = rec("web-1", Map.of("tier", "web"), ZoneState.created().started(1, "t"));
    var f =
        ContainerFilters.parse(
            "{\"name\":{\"web\":true},\"label\":[\"tier=web\"],\"status\":[\"running\"],\"id\":[\"abc\"]}");
    assertThat(ContainerFilters.predicate(f).test(web)).isTrue();
    assertThat(
            ContainerFilters.predicate(ContainerFilters.parse("{\"label\":[\"tier=db\"]}"))
                .test(web))
        .isFalse();
    assertThat(
            ContainerFilters.predicate(ContainerFilters.parse("{\"name\":[\"^/web-1$\"]}"))
                .test(web))
        .isTrue();
    assertThatThrownBy(() -> ContainerFilters.parse("{\"status\":[\"sleepy\"]}"))
        .hasMessage("invalid filter 'status=sleepy'");
    assertThatThrownBy(() -> ContainerFilters.parse("{\"nope\":[\"x\"]}"))
        .hasMessage("invalid filter 'nope'");
  }
}
