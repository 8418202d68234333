package org.sdcdocker.agent.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class OciRuntimeTest {
  @Test
  void runcsFailure_isItsMessage_withoutItsLogFraming() {
    assertThat(
            OciRuntime.message(
                "time=\"2026-12-06T05:21:20Z\" level=error msg=\"container not paused\"\n"))
        .isEqualTo("container not paused");
    assertThat(
            OciRuntime.message(
                "time=\"t\" level=warning msg=\"first\"\n"
                    + "time=\"t\" level=error msg=\"exec: \\\"x\\\": not found\"\n"))
        .isEqualTo("exec: \"x\": not found");
    assertThat(OciRuntime.message("container \"abc\" does not exist\n"))
        .isEqualTo("container \"abc\" does not exist");
    assertThat(OciRuntime.message("")).isEqualTo("unknown error");
  }
}
