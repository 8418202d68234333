package org.sdcdocker.agent.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.sdcdocker.agent.sys.FileNative;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/** Real syscalls on a real directory: mknod, xattrs, lchown, chmod (needs root, as the agent). */
@EnabledOnOs(OS.LINUX)
class LayerUnpackerTest {
  @TempDir Path dir;

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

  static void file(TarArchiveOutputStream tar, String name, String data, int mode, int uid) throws IOException {
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

  static void entry(TarArchiveOutputStream tar, String name, byte type, String link) throws IOException {
    TarArchiveEntry e = new TarArchiveEntry(name, type);
    if (link != null) {
      e.setLinkName(link);
    }
    tar.putArchiveEntry(e);
    tar.closeArchiveEntry();
  }

  @Test
  void filesLinksModesAndOwners_areKept() throws IOException {
    byte[] t = tar(tar -> {
      file(tar, "bin/tool", "#!/bin/sh\n", 04755, 1000);
      entry(tar, "bin/alias", TarArchiveEntry.LF_SYMLINK, "tool");
      entry(tar, "bin/hard", TarArchiveEntry.LF_LINK, "bin/tool");
    });
    LayerUnpacker.unpack(new ByteArrayInputStream(t), dir);
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
    LayerUnpacker.unpack(new ByteArrayInputStream(gz.toByteArray()), dir);
    assertThat(Files.readString(dir.resolve("a"))).isEqualTo("x");
  }

  @Test
  void zstdLayers_areUnpackedToo() throws IOException {
    byte[] t = tar(tar -> file(tar, "z", "zstd", 0644, 0));
    ByteArrayOutputStream zs = new ByteArrayOutputStream();
    try (var z = new io.airlift.compress.zstd.ZstdOutputStream(zs)) {
      z.write(t);
    }
    LayerUnpacker.unpack(new ByteArrayInputStream(zs.toByteArray()), dir);
    assertThat(Files.readString(dir.resolve("z"))).isEqualTo("zstd");
  }

  @Test
  void whiteouts_becomeOverlayWhiteouts() throws IOException {
    byte[] t = tar(tar -> {
      file(tar, "etc/.wh.gone", "", 0644, 0);
      file(tar, "var/cache/.wh..wh..opq", "", 0644, 0);
    });
    LayerUnpacker.unpack(new ByteArrayInputStream(t), dir);
    Path gone = dir.resolve("etc/gone");
    assertThat(Files.exists(dir.resolve("etc/.wh.gone"), LinkOption.NOFOLLOW_LINKS)).isFalse();
    assertThat(Files.getAttribute(gone, "unix:mode", LinkOption.NOFOLLOW_LINKS)).isEqualTo(0020000);
    assertThat(Files.getAttribute(gone, "unix:rdev", LinkOption.NOFOLLOW_LINKS)).isEqualTo(0L);
    assertThat(FileNative.lgetxattr(dir.resolve("var/cache").toString(), "trusted.overlay.opaque"))
        .isEqualTo(new byte[] {'y'});
    assertThat(FileNative.lgetxattr(dir.resolve("etc").toString(), "trusted.overlay.opaque")).isNull();
    assertThat(Files.exists(dir.resolve("var/cache/.wh..wh..opq"))).isFalse();
  }

  @Test
  void entriesEscapingTheLayer_areRefused() throws IOException {
    byte[] t = tar(tar -> file(tar, "../../escape", "x", 0644, 0));
    assertThatThrownBy(() -> LayerUnpacker.unpack(new ByteArrayInputStream(t), dir))
        .isInstanceOf(IOException.class).hasMessageContaining("escapes the layer");
    assertThat(Files.exists(dir.getParent().getParent().resolve("escape"))).isFalse();
  }

  @Test
  void aLaterEntry_replacesAnEarlierOne() throws IOException {
    byte[] t = tar(tar -> {
      file(tar, "x", "old", 0644, 0);
      entry(tar, "x", TarArchiveEntry.LF_SYMLINK, "elsewhere");
    });
    LayerUnpacker.unpack(new ByteArrayInputStream(t), dir);
    assertThat(Files.isSymbolicLink(dir.resolve("x"))).isTrue();
  }
}
