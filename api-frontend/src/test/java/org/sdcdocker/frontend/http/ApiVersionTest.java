package org.sdcdocker.frontend.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.sdcdocker.protocol.ErrorKind;

class ApiVersionTest {
  @Test
  void supportedRange_isInclusive() {
    assertThat(ApiVersion.supported("1.24")).isEqualTo(ApiVersion.MIN);
    assertThat(ApiVersion.supported("1.50")).isEqualTo(ApiVersion.MAX);
    assertThat(ApiVersion.parse("1.41").atLeast(1, 40)).isTrue();
    assertThat(ApiVersion.parse("1.9").compareTo(ApiVersion.parse("1.10"))).isNegative();
  }

  @Test
  void outsideTheRange_dockersMessages() {
    assertThatThrownBy(() -> ApiVersion.supported("1.51"))
        .hasMessage("client version 1.51 is too new. Maximum supported API version is 1.50");
    assertThatThrownBy(() -> ApiVersion.supported("1.23"))
        .hasMessage(
            "client version 1.23 is too old. Minimum supported API version is 1.24, "
                + "please upgrade your client to a newer version");
  }

  @Test
  void statuses_asMoby() {
    assertThat(Http.status(ErrorKind.NOT_FOUND)).isEqualTo(404);
    assertThat(Http.status(ErrorKind.CONFLICT)).isEqualTo(409);
    assertThat(Http.status(ErrorKind.INVALID_PARAMETER)).isEqualTo(400);
    assertThat(Http.status(ErrorKind.NOT_MODIFIED)).isEqualTo(304);
    assertThat(Http.status(ErrorKind.INTERNAL)).isEqualTo(500);
  }
}
