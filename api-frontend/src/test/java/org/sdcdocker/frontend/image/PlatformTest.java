package org.sdcdocker.frontend.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.sdcdocker.protocol.DockerException;
import org.sdcdocker.protocol.Json;

class PlatformTest {
  @Test
  void parsesAndNormalizesAsDocker() {
    assertThat(Platform.parse("linux/amd64")).hasToString("linux/amd64");
    assertThat(Platform.parse("Linux/x86_64")).hasToString("linux/amd64");
    assertThat(Platform.parse("linux/aarch64")).hasToString("linux/arm64");
    assertThat(Platform.parse("linux/arm64/v8")).hasToString("linux/arm64");
    assertThat(Platform.parse("linux/arm/v7")).hasToString("linux/arm/v7");
    assertThat(Platform.parse("arm64")).hasToString("linux/arm64");
    assertThat(Platform.parse("linux").os()).isEqualTo("linux");
  }

  @Test
  void refusesWhatNamesNoPlatform() {
    for (String bad :
        new String[] {
          "", "linux/", "foo", "linux/foo", "nosuch/amd64", "linux/amd64/v1/x", "../x"
        }) {
      assertThatThrownBy(() -> Platform.parse(bad))
          .as(bad)
          .isInstanceOf(DockerException.class)
          .hasMessageContaining("unknown operating system or architecture: invalid argument");
    }
  }

  @Test
  void acceptsImagesOfItsPlatform_variantOnlyWhenAsked() throws Exception {
    Platform arm7 =
        Platform.ofConfig(
            Json.MAPPER.readTree("{\"os\":\"linux\",\"architecture\":\"arm\",\"variant\":\"v7\"}"));
    assertThat(Platform.parse("linux/arm").accepts(arm7)).isTrue();
    assertThat(Platform.parse("linux/arm/v7").accepts(arm7)).isTrue();
    assertThat(Platform.parse("linux/arm/v6").accepts(arm7)).isFalse();
    assertThat(Platform.parse("linux/amd64").accepts(Platform.ofConfig(Json.MAPPER.readTree("{}"))))
        .isTrue();
    assertThat(
            Platform.parse("linux/arm64")
                .accepts(
                    Platform.ofConfig(
                        Json.MAPPER.readTree("{\"architecture\":\"arm64\",\"variant\":\"v8\"}"))))
        .isTrue();
  }
}
