package org.sdcdocker.bus;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.sdcdocker.protocol.DockerException;
import org.sdcdocker.protocol.ErrorKind;

class ExecLinkTest {
  @Test
  void aRefusal_comesBackAsTheSameError() {
    String line =
        ExecLink.refusal(DockerException.conflict("container %s is not running", "c1 \"x\""));
    assertThat(line).doesNotContain("\n");
    DockerException back = ExecLink.refused(line);
    assertThat(back.kind()).isEqualTo(ErrorKind.CONFLICT);
    assertThat(back.getMessage()).isEqualTo("container c1 \"x\" is not running");
    assertThat(ExecLink.refused("what").kind()).isEqualTo(ErrorKind.INTERNAL);
  }
}
