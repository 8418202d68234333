package org.sdcdocker.frontend.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.sdcdocker.protocol.DockerException;

class ImageReferenceTest {
  @Test
  void shortNames_areDockerHubLibraryImages() {
    ImageReference r = ImageReference.parse("busybox");
    assertThat(r).isEqualTo(new ImageReference("docker.io", "library/busybox", "latest", null));
    assertThat(r.toString()).isEqualTo("busybox:latest");
    assertThat(r.baseUrl()).isEqualTo("https://registry-1.docker.io");
  }

  @Test
  void registriesWithPorts_tagsAndDigests() {
    ImageReference r = ImageReference.parse("127.0.0.1:5000/x/busybox:1.0");
    assertThat(r.registry()).isEqualTo("127.0.0.1:5000");
    assertThat(r.repository()).isEqualTo("x/busybox");
    assertThat(r.tag()).isEqualTo("1.0");
    assertThat(r.baseUrl()).isEqualTo("http://127.0.0.1:5000");
    String d = "sha256:" + "a".repeat(64);
    ImageReference byDigest = ImageReference.parse("localhost:5000/y@" + d);
    assertThat(byDigest.digest()).isEqualTo(d);
    assertThat(byDigest.tag()).isNull();
    assertThat(byDigest.reference()).isEqualTo(d);
    assertThat(byDigest.baseUrl()).isEqualTo("http://localhost:5000");
    assertThat(ImageReference.parse("registry.example.com/team/app").baseUrl())
        .isEqualTo("https://registry.example.com");
    assertThat(ImageReference.parse("user/app").familiarName()).isEqualTo("user/app");
  }

  @Test
  void theHubsLegacyName_isTheHub() {
    assertThat(ImageReference.parse("index.docker.io/busybox"))
        .isEqualTo(ImageReference.parse("busybox"));
    assertThat(ImageReference.parse("index.docker.io/library/busybox:1").familiarName())
        .isEqualTo("busybox");
  }

  @Test
  void malformedReferences_areRefused() {
    assertThatThrownBy(() -> ImageReference.parse(""))
        .hasMessageContaining("invalid reference format");
    assertThatThrownBy(() -> ImageReference.parse("a b"))
        .hasMessageContaining("invalid reference format");
    assertThatThrownBy(() -> ImageReference.parse("UPPER/case"))
        .isInstanceOf(DockerException.class)
        .hasMessageContaining("must be lowercase");
    assertThatThrownBy(() -> ImageReference.parse("x@sha256:short"))
        .hasMessageContaining("invalid reference format");
    assertThatThrownBy(() -> ImageReference.parse("x:bad tag"))
        .hasMessageContaining("invalid reference format");
  }
}
