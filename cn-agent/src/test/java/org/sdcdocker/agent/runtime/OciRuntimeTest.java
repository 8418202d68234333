package org.sdcdocker.agent.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OciRuntimeTest {
  @TempDir Path dir;

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

  @Test
  void aSocketLinkConmonNamedWithAShortenedId_isRemovedWithItsZone() throws Exception {
    OciRuntime rt =
        new OciRuntime(
            "runc", "conmon", dir.resolve("runc"), dir.resolve("exits"), dir.resolve("s"));
    String id = "a".repeat(40) + "b".repeat(24);
    String other = "a".repeat(40) + "c".repeat(24);
    Path shortened = Files.createSymbolicLink(dir.resolve("s").resolve(id.substring(0, 57)), dir);
    Path full = Files.createSymbolicLink(dir.resolve("s").resolve(other), dir);
    rt.removeSocketLink(id);
    assertThat(shortened).doesNotExist();
    assertThat(full).exists(); // another zone's, though the first 40 characters are the same
    rt.removeSocketLink(other);
    try (var left = Files.list(dir.resolve("s"))) {
      assertThat(left).isEmpty();
    }
  }
}
