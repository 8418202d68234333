package org.sdcdocker.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

class JsonTest {
  @Test
  void malformedJson_isAnInvalidParameter() {
    assertThatThrownBy(() -> Json.decode("{not json", JsonNode.class))
        .isInstanceOfSatisfying(
            DockerException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(ErrorKind.INVALID_PARAMETER);
              assertThat(e.getMessage()).startsWith("invalid JSON: ");
            });
  }
}
