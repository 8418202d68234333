package org.sdcdocker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sdcdocker.it.support.DockerCli.Result;
import org.sdcdocker.it.support.FixtureTest;

/**
 * Archives made to reach the compute node's files (a symlink to /etc, then a file through it; a
 * hard link through it): loaded, imported and copied in, none writes or links outside its root, and
 * the error names no host path.
 */
class CraftedArchiveTest extends FixtureTest {
  @TempDir Path dir;
  private final String mark = "sdc-pwned-" + System.nanoTime();

  private byte[] evilLayer() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
      TarArchiveEntry link = new TarArchiveEntry("evil", TarArchiveEntry.LF_SYMLINK);
      link.setLinkName("/etc");
      tar.putArchiveEntry(link);
      tar.closeArchiveEntry();
      byte[] data = "pwned\n".getBytes(StandardCharsets.UTF_8);
      TarArchiveEntry file = new TarArchiveEntry("evil/" + mark);
      file.setSize(data.length);
      tar.putArchiveEntry(file);
      tar.write(data);
      tar.closeArchiveEntry();
      TarArchiveEntry hard = new TarArchiveEntry("shadow", TarArchiveEntry.LF_LINK);
      hard.setLinkName("evil/passwd");
      tar.putArchiveEntry(hard);
      tar.closeArchiveEntry();
    }
    return out.toByteArray();
  }

  private static String sha256(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }

  private static void add(TarArchiveOutputStream tar, String name, byte[] data) throws IOException {
    TarArchiveEntry e = new TarArchiveEntry(name);
    e.setSize(data.length);
    tar.putArchiveEntry(e);
    tar.write(data);
    tar.closeArchiveEntry();
  }

  private void assertHostUntouched() {
    assertThat(Path.of("/etc", mark)).doesNotExist();
  }

  @Test
  void loadedImage_withALayerThroughASymlink_neverWritesOnTheHost() throws Exception {
    byte[] layer = evilLayer();
    String diff = sha256(layer);
    String config =
        "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Cmd\":[\"/bin/sh\"]},"
            + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:"
            + diff
            + "\"]}}";
    String configHex = sha256(config.getBytes(StandardCharsets.UTF_8));
    String manifest =
        "[{\"Config\":\""
            + configHex
            + ".json\",\"RepoTags\":[\"local/crafted:1\"],"
            + "\"Layers\":[\""
            + diff
            + "/layer.tar\"]}]";
    Path archive = dir.resolve("crafted.tar");
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(Files.newOutputStream(archive))) {
      add(tar, configHex + ".json", config.getBytes(StandardCharsets.UTF_8));
      add(tar, diff + "/layer.tar", layer);
      add(tar, "manifest.json", manifest.getBytes(StandardCharsets.UTF_8));
    }
    docker.ok("load", "-i", archive.toString());
    Result run = docker.run("run", "--rm", "local/crafted:1", "true");
    assertThat(run.exitCode()).isNotZero();
    assertThat(run.err())
        .contains("open /evil/" + mark + ": no such file or directory")
        .doesNotContain(f.server.dataRoot().toString());
    assertHostUntouched();
    assertThat(docker.run("ps", "-aq", "--filter", "ancestor=local/crafted:1").out()).isEmpty();
    docker.ok("rmi", "local/crafted:1");
  }

  @Test
  void importedArchive_throughASymlink_neverWritesOnTheHost() throws Exception {
    Path archive = Files.write(dir.resolve("fs.tar"), evilLayer());
    docker.ok("import", archive.toString(), "local/crafted-import:1");
    Result run = docker.run("create", "local/crafted-import:1", "true");
    assertThat(run.exitCode()).isNotZero();
    assertThat(run.err()).contains("open /evil/" + mark + ": no such file or directory");
    assertHostUntouched();
    docker.ok("rmi", "local/crafted-import:1");
  }

  @Test
  void copiedIn_throughASymlink_staysInTheContainer() throws Exception {
    String id = docker.ok("run", "-d", image, "sleep", "300");
    HttpClient http = HttpClient.newHttpClient();
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(
                    URI.create(f.server.url() + "/containers/" + id + "/archive?path=/tmp"))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(evilLayer()))
                .header("Content-Type", "application/x-tar")
                .build(),
            HttpResponse.BodyHandlers.ofString());
    // as Docker's: the links resolve inside the container, whose /etc this is
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(docker.ok("exec", id, "cat", "/etc/" + mark)).isEqualTo("pwned");
    assertThat(docker.ok("exec", id, "sh", "-c", "[ /tmp/shadow -ef /etc/passwd ] && echo same"))
        .isEqualTo("same");
    assertHostUntouched();

    byte[] garbage = "not a tar archive, not at all".repeat(30).getBytes(StandardCharsets.UTF_8);
    HttpResponse<String> bad =
        http.send(
            HttpRequest.newBuilder(
                    URI.create(f.server.url() + "/containers/" + id + "/archive?path=/tmp"))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(garbage))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.body())
        .contains("invalid tar header")
        .doesNotContain(f.server.dataRoot().toString());
    docker.ok("rm", "-f", id);
  }
}
