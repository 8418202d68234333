package org.sdcdocker.frontend.account;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sdcdocker.protocol.DockerException;
import org.sdcdocker.protocol.ErrorKind;

class PackageStoreTest {
  @TempDir Path dir;

  private static final String LABEL = ResourcePackage.LABEL;

  private PackageStore sample() throws Exception {
    PackageStore s = PackageStore.load(dir);
    s.add("b-128M", 128, 512, 0, 256, 50, 100);
    s.add("a-128M", 128, 0, 0, 0, 0, 0);
    s.add("c-1G", 1024, 0, 0, 0, 0, 0);
    s.add("d-8G", 8192, 0, 0, 0, 0, 0);
    s.deactivate("d-8G");
    return s;
  }

  @Test
  void withoutPackages_nothingIsChosen() throws Exception {
    assertThat(PackageStore.load(dir).choose(Map.of(), 5L << 30, 1024)).isNull();
  }

  @Test
  void memory_choosesTheSmallestActiveThatFits_theFirstByNameOfEquals() throws Exception {
    PackageStore s = sample();
    assertThat(s.choose(Map.of(), 100L << 20, 1024).name()).isEqualTo("a-128M");
    assertThat(s.choose(Map.of(), 128L << 20, 1024).name()).isEqualTo("a-128M");
    assertThat(s.choose(Map.of(), (128L << 20) + 1, 1024).name()).isEqualTo("c-1G");
    assertThat(s.choose(Map.of(), 0, 1024).name()).isEqualTo("c-1G");
    assertThat(s.choose(Map.of(), 0, 100).name()).isEqualTo("a-128M");
    assertThatThrownBy(() -> s.choose(Map.of(), 2L << 30, 1024))
        .isInstanceOf(DockerException.class)
        .hasMessage("no package supports the given container constraints: memory=2g")
        .extracting(e -> ((DockerException) e).kind())
        .isEqualTo(ErrorKind.UNPROCESSABLE);
  }

  @Test
  void theLabel_namesOneByNameUuidOrShortUuid() throws Exception {
    PackageStore s = sample();
    String uuid = s.get("b-128M").uuid();
    assertThat(s.choose(Map.of(LABEL, "b-128M"), 8L << 30, 1024).name()).isEqualTo("b-128M");
    assertThat(s.choose(Map.of(LABEL, uuid), 0, 1024).name()).isEqualTo("b-128M");
    assertThat(s.choose(Map.of(LABEL, uuid.substring(0, 8)), 0, 1024).name()).isEqualTo("b-128M");
    assertThatThrownBy(() -> s.choose(Map.of(LABEL, "d-8G"), 0, 1024))
        .hasMessage("no package supports the given container constraints: " + LABEL + "=d-8G");
    assertThatThrownBy(() -> s.choose(Map.of(LABEL, "bacon-"), 0, 1024))
        .hasMessage("invalid value for " + LABEL + ": bacon-")
        .extracting(e -> ((DockerException) e).kind())
        .isEqualTo(ErrorKind.INVALID_PARAMETER);
  }

  @Test
  void sizes_areSaidInWholeUnitsOfTheLargestPowerReached() {
    assertThat(PackageStore.humanSize(1000L << 30)).isEqualTo("1000g");
    assertThat(PackageStore.humanSize((5L << 30) / 2)).isEqualTo("2g");
    assertThat(PackageStore.humanSize(100L << 20)).isEqualTo("100m");
    assertThat(PackageStore.humanSize(3L << 40)).isEqualTo("3t");
    assertThat(PackageStore.humanSize(2048L << 40)).isEqualTo("2048t");
    assertThat(PackageStore.humanSize(1023)).isEqualTo("1023b");
    assertThat(PackageStore.humanSize(1024)).isEqualTo("1k");
  }

  @Test
  void names_followTritonsRule() {
    assertThat(PackageStore.validName("sample-1G")).isTrue();
    assertThat(PackageStore.validName("a")).isTrue();
    assertThat(PackageStore.validName("t4.standard_2")).isTrue();
    assertThat(PackageStore.validName("bacon-")).isFalse();
    assertThat(PackageStore.validName("-x")).isFalse();
    assertThat(PackageStore.validName("a--b")).isFalse();
    assertThat(PackageStore.validName("a._b")).isFalse();
    assertThat(PackageStore.validName("a/b")).isFalse();
    assertThat(PackageStore.validName("")).isFalse();
  }

  @Test
  void add_checksItsSizes_andPackagesDoNotChange() throws Exception {
    PackageStore s = sample();
    assertThat(s.get("a-128M").swap()).isEqualTo(256);
    assertThatThrownBy(() -> s.add("a-128M", 256, 0, 0, 0, 0, 0))
        .hasMessageContaining("package a-128M exists");
    assertThatThrownBy(() -> s.add("x", 256, 128, 0, 0, 0, 0))
        .hasMessageContaining("invalid swap 128 MiB");
    assertThatThrownBy(() -> s.add("y", 4, 0, 0, 0, 0, 0))
        .hasMessageContaining("invalid memory 4 MiB");
    assertThatThrownBy(() -> s.add("z", 64, 0, 0, 1, 0, 0))
        .hasMessageContaining("invalid cpu shares 1");
    assertThatThrownBy(() -> s.add("w", 64, 0, -1, 0, 0, 0)).hasMessageContaining("negative");
    assertThatThrownBy(() -> s.get("nosuch")).hasMessage("no such package: nosuch");
  }

  @Test
  void packages_surviveARestart_andNewerVersionsWin() throws Exception {
    PackageStore s = sample();
    Files.writeString(dir.resolve("half.json.tmp"), "{");
    PackageStore again = PackageStore.load(dir);
    assertThat(again.list())
        .extracting(ResourcePackage::name)
        .containsExactly("a-128M", "b-128M", "c-1G", "d-8G");
    assertThat(again.get("d-8G").active()).isFalse();
    assertThat(dir.resolve("half.json.tmp")).doesNotExist();
    ResourcePackage old = s.get("c-1G");
    ResourcePackage newer = old.at(old.updated() + 10, false);
    assertThat(again.apply(newer)).isTrue();
    assertThat(again.apply(old)).isFalse();
    assertThat(again.get("c-1G").active()).isFalse();
  }
}
