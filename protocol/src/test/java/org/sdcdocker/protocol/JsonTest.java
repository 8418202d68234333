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
  void errorKinds_travelByName() {
    for (ErrorKind k : ErrorKind.values()) {
      DockerException sent = new DockerException(k, "No such container: x y");
      var reply = new io.vertx.core.eventbus.ReplyException(io.vertx.core.eventbus.ReplyFailure.RECIPIENT_FAILURE, 0,
          sent.toWire());
      DockerException got = DockerException.of(reply);
      assertThat(got.kind()).isEqualTo(k);
      assertThat(got.getMessage()).isEqualTo("No such container: x y");
    }
    var unknown = new io.vertx.core.eventbus.ReplyException(io.vertx.core.eventbus.ReplyFailure.RECIPIENT_FAILURE, 3,
        "SOMETHING_NEW what it said");
    assertThat(DockerException.of(unknown).kind()).isEqualTo(ErrorKind.INTERNAL);
    assertThat(DockerException.of(unknown).getMessage()).isEqualTo("SOMETHING_NEW what it said");
    var timeout = new io.vertx.core.eventbus.ReplyException(io.vertx.core.eventbus.ReplyFailure.TIMEOUT, -1,
        "Timed out after waiting 30000(ms) for a reply. address: __vertx.reply.1");
    assertThat(DockerException.of(timeout).kind()).isEqualTo(ErrorKind.UNAVAILABLE);
    assertThat(DockerException.of(timeout).getMessage()).doesNotContain("__vertx");
  }
}
