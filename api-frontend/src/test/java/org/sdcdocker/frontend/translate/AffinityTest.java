package org.sdcdocker.frontend.translate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.sdcdocker.protocol.DockerException;

class AffinityTest {
  @Test
  void expressions_parseAsSwarmsAndSdcDockers() {
    assertThat(Affinity.parse("container==db0"))
        .isEqualTo(new Affinity("container", true, false, "db0", "container==db0"));
    assertThat(Affinity.parse("container!=~web*"))
        .isEqualTo(new Affinity("container", false, true, "web*", "container!=~web*"));
    assertThat(Affinity.parse("role==/^db[0-9]$/").value()).isEqualTo("/^db[0-9]$/");
    assertThat(Affinity.parse("Instance==x").key()).isEqualTo("instance");
  }

  @Test
  void badExpressions_areRefusedInSdcDockersWords() {
    assertThatThrownBy(() -> Affinity.parse("container=db0"))
        .isInstanceOf(DockerException.class)
        .hasMessage(
            "could not find operator in filter expression: expected one of ==, !=: \"container=db0\"");
    assertThatThrownBy(() -> Affinity.parse("9x==db0"))
        .hasMessageStartingWith(
            "invalid key in filter expression: \"9x==db0\": \"9x\" does not match");
    assertThatThrownBy(() -> Affinity.parse("container=="))
        .hasMessage("invalid value in filter expression: \"container==\"");
    assertThatThrownBy(() -> Affinity.parseLabel("{\"a\":1}"))
        .hasMessage("affinities label is not an array: {\"a\":1}");
    assertThatThrownBy(() -> Affinity.parseLabel("[not json"))
        .hasMessage("invalid affinities label: [not json");
  }

  @Test
  void envEntries_goIntoTheLabel_afterTheLabelsOwn() {
    var split = Affinity.fromEnv(List.of("A=1", "affinity:container!=db0", "B=2"));
    assertThat(split.env()).containsExactly("A=1", "B=2");
    assertThat(split.affinities()).containsExactly("container!=db0");
    assertThat(Affinity.label(Map.of(Affinity.LABEL, "[\"container==web\"]"), split.affinities()))
        .isEqualTo("[\"container==web\",\"container!=db0\"]");
  }
}
