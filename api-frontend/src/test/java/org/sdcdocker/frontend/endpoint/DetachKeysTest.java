package org.sdcdocker.frontend.endpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

class DetachKeysTest {
  @Test
  void theDefaultSequence_isSwallowedAndDetaches() {
    DetachKeys k = DetachKeys.parse(null);
    assertThat(k.filter(Buffer.buffer("ab")).toString()).isEqualTo("ab");
    assertThat(k.detached()).isFalse();
    assertThat(k.filter(Buffer.buffer(new byte[] {'c', 16})).toString()).isEqualTo("c");
    assertThat(k.filter(Buffer.buffer(new byte[] {17, 'x'})).length()).isZero();
    assertThat(k.detached()).isTrue();
  }

  @Test
  void aPartialSequence_passesOnWhenItBreaks() {
    DetachKeys k = DetachKeys.parse("ctrl-a,x");
    assertThat(k.filter(Buffer.buffer(new byte[] {1, 'y'})).getBytes()).containsExactly(1, 'y');
    assertThat(k.detached()).isFalse();
    assertThatThrownBy(() -> DetachKeys.parse("ctrl-1"))
        .hasMessageContaining("Invalid escape keys");
  }
}
