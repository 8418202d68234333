package org.sdcdocker.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class DigestTest {
  private static final String EMPTY =
      "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

  @Test
  void ofBytesStreamsAndHashes_isSha256InDockersForm() throws Exception {
    assertThat(Digest.of(new byte[0])).hasToString(EMPTY);
    assertThat(Digest.of(new ByteArrayInputStream(new byte[0]))).hasToString(EMPTY);
    assertThat(Digest.of(Digest.sha256())).hasToString(EMPTY);
    assertThat(Digest.parse(EMPTY)).isEqualTo(Digest.of(new byte[0]));
    assertThat(Digest.parse(EMPTY).hex()).hasSize(64).doesNotContain(":");
  }

  @Test
  void onlyTheFormIsAccepted_soItsHexIsSafeAsAFileName() {
    for (String bad :
        new String[] {
          null,
          "",
          "sha256:",
          "sha256:../../etc/passwd",
          "sha512:" + "a".repeat(64),
          "sha256:" + "A".repeat(64),
          "sha256:" + "a".repeat(63),
          "sha256:" + "a".repeat(65),
          new String(
              ("sha256:" + "a".repeat(63) + "\n").getBytes(StandardCharsets.UTF_8),
              StandardCharsets.UTF_8)
        }) {
      assertThat(Digest.is(bad)).as(String.valueOf(bad)).isFalse();
      assertThatThrownBy(() -> Digest.parse(bad)).isInstanceOf(DockerException.class);
    }
  }
}
