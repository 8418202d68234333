package org.sdcdocker.agent.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.airlift.compress.zstd.ZstdOutputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.sdcdocker.agent.sys.FileNative;
import org.sdcdocker.protocol.DockerException;
import org.sdcdocker.protocol.ErrorKind;

/** Real syscalls on a real directory: mknod, xattrs, lchown, chmod (needs root, as the agent). */
@EnabledOnOs(OS.LINUX)
class LayerUnpackerIT {
  /** The helper as the build made it beside dockerinit (the dockerinit module builds first). */
  static final RootUntar UNTAR =
      new RootUntar(Path.of("../dockerinit/target/root-untar").toAbsolutePath());

  @TempDir Path dir;

  void unpack(byte[] layer) throws IOException {
    LayerUnpacker.unpack(new ByteArrayInputStream(layer), dir, UNTAR);
  }

  interface Body {
    void write(TarArchiveOutputStream tar) throws IOException;
  }

  static byte[] tar(Body body) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      body.write(tar);
    }
    return out.toByteArray();
  }

  static void file(TarArchiveOutputStream tar, String name, String data, int mode, int uid)
      throws IOException {
    TarArchiveEntry e = new TarArchiveEntry(name);
    byte[] b = data.getBytes();
    e.setSize(b.length);
    e.setMode(0100000 | mode);
    e.setUserId(uid);
    e.setGroupId(uid);
    tar.putArchiveEntry(e);
    tar.write(b);
    tar.closeArchiveEntry();
  }

  static void entry(TarArchiveOutputStream tar, String name, byte type, String link)
      throws IOException {
    TarArchiveEntry e = new TarArchiveEntry(name, type);
    if (link != null) {
      e.setLinkName(link);
    }
    tar.putArchiveEntry(e);
    tar.closeArchiveEntry();
  }

  @Test
  void filesLinksModesAndOwners_areKept() throws IOException {
    byte[] t =
        tar(
            tar -> {
              file(tar, "bin/tool", "#!/bin/sh\n", 04755, 1000);
              entry(tar, "bin/alias", TarArchiveEntry.LF_SYMLINK, "tool");
              entry(tar, "bin/hard", TarArchiveEntry.LF_LINK, "bin/tool");
            });
    unpack(t);
    Path tool = dir.resolve("bin/tool");
    assertThat(Files.readString(tool)).isEqualTo("#!/bin/sh\n");
    assertThat((int) Files.getAttribute(tool, "unix:mode") & 07777).isEqualTo(04755);
    assertThat(Files.getAttribute(tool, "unix:uid")).isEqualTo(1000);
    assertThat(Files.readSymbolicLink(dir.resolve("bin/alias"))).isEqualTo(Path.of("tool"));
    assertThat(Files.isSameFile(tool, dir.resolve("bin/hard"))).isTrue();
  }

  @Test
  void gzippedLayers_areUnpackedToo() throws IOException {
    byte[] t = tar(tar -> file(tar, "a", "x", 0644, 0));
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    try (GZIPOutputStream g = new GZIPOutputStream(gz)) {
      g.write(t);
    }
    unpack(gz.toByteArray());
    assertThat(Files.readString(dir.resolve("a"))).isEqualTo("x");
  }

  @Test
  void zstdLayers_areUnpackedToo() throws IOException {
    byte[] t = tar(tar -> file(tar, "z", "zstd", 0644, 0));
    ByteArrayOutputStream zs = new ByteArrayOutputStream();
    try (var z = new ZstdOutputStream(zs)) {
      z.write(t);
    }
    unpack(zs.toByteArray());
    assertThat(Files.readString(dir.resolve("z"))).isEqualTo("zstd");
  }

  @Test
  void whiteouts_becomeOverlayWhiteouts() throws IOException {
    byte[] t =
        tar(
            tar -> {
              file(tar, "etc/.wh.gone", "", 0644, 0);
              file(tar, "var/cache/.wh..wh..opq", "", 0644, 0);
            });
    unpack(t);
    Path gone = dir.resolve("etc/gone");
    assertThat(Files.exists(dir.resolve("etc/.wh.gone"), LinkOption.NOFOLLOW_LINKS)).isFalse();
    assertThat(Files.getAttribute(gone, "unix:mode", LinkOption.NOFOLLOW_LINKS)).isEqualTo(0020000);
    assertThat(Files.getAttribute(gone, "unix:rdev", LinkOption.NOFOLLOW_LINKS)).isEqualTo(0L);
    assertThat(FileNative.lgetxattr(dir.resolve("var/cache").toString(), "trusted.overlay.opaque"))
        .isEqualTo(new byte[] {'y'});
    assertThat(FileNative.lgetxattr(dir.resolve("etc").toString(), "trusted.overlay.opaque"))
        .isNull();
    assertThat(Files.exists(dir.resolve("var/cache/.wh..wh..opq"))).isFalse();
  }

  @Test
  void entriesEscapingTheLayer_areRefused() throws IOException {
    byte[] t = tar(tar -> file(tar, "../../escape", "x", 0644, 0));
    assertThatThrownBy(() -> unpack(t))
        .isInstanceOf(DockerException.class)
        .hasMessage("archive entry ../../escape is outside of the extraction point /");
    assertThat(Files.exists(dir.getParent().getParent().resolve("escape"))).isFalse();
  }

  /**
   * The tricks of a crafted layer: each stays inside the layer or is refused, naming no host path.
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "absolute symlink as a parent | evil>/etc,evil/pwned=x | open /evil/pwned: no such file or directory",
        "relative symlink as a parent | evil>../../../../../../etc,evil/pwned=x | open /evil/pwned: no such file or directory",
        "symlinked parent, two levels | a>/,a/etc>/etc,a/etc/pwned=x | lstat /a/etc/pwned: too many levels of symbolic links",
        "hard link through a symlink | evil>/etc,pw=>evil/passwd | link /pw: no such file or directory",
        "hard link with dot-dots | pw=>../../../../etc/passwd | hard link target ../../../../etc/passwd is outside of the extraction point /",
        "absolute hard link | pw=>/etc/passwd | link /pw: no such file or directory",
        "whiteout through a symlink | evil>/etc,evil/.wh.passwd=  | mknod /evil/passwd: no such file or directory",
        "opaque dir through a symlink | evil>/etc,evil/.wh..wh..opq= | ",
        "dot-dot entry | ../../pwned=x | archive entry ../../pwned is outside of the extraction point /",
        "dot-dot in the middle | a/../../pwned=x | archive entry a/../../pwned is outside of the extraction point /",
      })
  void craftedLayers_neverWriteOutsideTheLayer(String trick, String entries, String error)
      throws IOException {
    Path host = Files.createDirectories(dir.resolve("host/etc"));
    Files.writeString(host.resolve("passwd"), "root:x:0:0");
    Path layer = Files.createDirectories(dir.resolve("host/var/layer"));
    byte[] t =
        tar(
            tar -> {
              for (String e : entries.split(",")) {
                if (e.contains("=>")) {
                  entry(
                      tar,
                      e.substring(0, e.indexOf('=')),
                      TarArchiveEntry.LF_LINK,
                      e.substring(e.indexOf('>') + 1));
                } else if (e.contains(">")) {
                  entry(
                      tar,
                      e.substring(0, e.indexOf('>')),
                      TarArchiveEntry.LF_SYMLINK,
                      e.substring(e.indexOf('>') + 1));
                } else {
                  file(
                      tar,
                      e.substring(0, e.indexOf('=')),
                      e.substring(e.indexOf('=') + 1),
                      0644,
                      0);
                }
              }
            });
    // a chroot into dir/host/var/layer: the host's files are dir/host/etc, just outside it
    if (error == null) {
      LayerUnpacker.unpack(new ByteArrayInputStream(t), layer, UNTAR);
    } else {
      assertThatThrownBy(() -> LayerUnpacker.unpack(new ByteArrayInputStream(t), layer, UNTAR))
          .isInstanceOf(DockerException.class)
          .hasMessage(error.strip())
          .satisfies(
              x -> assertThat(((DockerException) x).kind()).isEqualTo(ErrorKind.INVALID_PARAMETER));
    }
    try (var all = Files.walk(dir.resolve("host/etc"))) {
      assertThat(all.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("etc", "passwd");
    }
    assertThat(Files.readString(host.resolve("passwd"))).isEqualTo("root:x:0:0");
    assertThat(FileNative.lgetxattr(host.toString(), "trusted.overlay.opaque")).isNull();
  }

  @Test
  void devicesAndFifos_areMade() throws IOException {
    byte[] t =
        tar(
            tar -> {
              TarArchiveEntry c = new TarArchiveEntry("dev/null", TarArchiveEntry.LF_CHR);
              c.setDevMajor(1);
              c.setDevMinor(3);
              c.setMode(0666);
              tar.putArchiveEntry(c);
              tar.closeArchiveEntry();
              TarArchiveEntry f = new TarArchiveEntry("run/fifo", TarArchiveEntry.LF_FIFO);
              f.setMode(0600);
              tar.putArchiveEntry(f);
              tar.closeArchiveEntry();
            });
    unpack(t);
    assertThat(Files.getAttribute(dir.resolve("dev/null"), "unix:rdev", LinkOption.NOFOLLOW_LINKS))
        .isEqualTo(0x103L);
    assertThat(
            (int)
                    Files.getAttribute(
                        dir.resolve("run/fifo"), "unix:mode", LinkOption.NOFOLLOW_LINKS)
                & 0170000)
        .isEqualTo(0010000);
  }

  @Test
  void truncatedAndGarbageArchives_areRefused() throws IOException {
    byte[] t = tar(tar -> file(tar, "big", "x".repeat(5000), 0644, 0));
    assertThatThrownBy(() -> unpack(Arrays.copyOf(t, 1500)))
        .isInstanceOf(DockerException.class)
        .hasMessage("unexpected EOF");
    byte[] junk = "this is not a tar archive at all".repeat(40).getBytes();
    assertThatThrownBy(() -> unpack(junk))
        .isInstanceOf(DockerException.class)
        .hasMessage("archive/tar: invalid tar header");
  }

  @Test
  void longNamesAndPaxOwners_areRead() throws IOException {
    String name = "d/" + "n".repeat(180) + "/" + "m".repeat(120);
    byte[] t =
        tar(
            tar -> {
              tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
              file(tar, name, "long", 0600, 3000000);
            });
    unpack(t);
    assertThat(Files.readString(dir.resolve(name))).isEqualTo("long");
    assertThat(Files.getAttribute(dir.resolve(name), "unix:uid")).isEqualTo(3000000);
  }

  @Test
  void aLaterEntry_replacesAnEarlierOne() throws IOException {
    byte[] t =
        tar(
            tar -> {
              file(tar, "x", "old", 0644, 0);
              entry(tar, "x", TarArchiveEntry.LF_SYMLINK, "elsewhere");
            });
    unpack(t);
    assertThat(Files.isSymbolicLink(dir.resolve("x"))).isTrue();
  }
}
