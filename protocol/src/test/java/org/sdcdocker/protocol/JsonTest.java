package org.sdcdocker.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

class JsonTest {
  @Test
  void malformedJson_isAnInvalidParameter() {
    assertThatThrownBy(() -> Json.decode("{not json", JsonNode.class))
        .isInstanceOfSatisfying(DockerException.class, e -> {
          assertThat(e.kind()).isEqualTo(ErrorKind.INVALID_PARAMETER);
          assertThat(e.getMessage()).startsWith("invalid JSON: ");
        });
  }

  @Test
  void errorKinds_travelAsCodes() {
    for (ErrorKind k : ErrorKind.values()) {
      assertThat(ErrorKind.fromCode(k.ordinal())).isEqualTo(k);
    }
    assertThat(ErrorKind.fromCode(-1)).isEqualTo(ErrorKind.INTERNAL);
    assertThat(ErrorKind.fromCode(99)).isEqualTo(ErrorKind.INTERNAL);
  }
}
