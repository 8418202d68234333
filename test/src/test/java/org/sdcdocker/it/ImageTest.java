package org.sdcdocker.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.sdcdocker.it.support.DockerCli.Result;
import org.sdcdocker.it.support.FixtureTest;
import org.sdcdocker.it.support.TestFiles;
import org.sdcdocker.it.support.TestImages;

/** Image commands beyond pull: tag, rmi with Docker's conflict rules, history, prune. */
class ImageTest extends FixtureTest {
  @Test
  void tagRmiAndTheirConflicts() throws Exception {
    String id = docker.ok("inspect", "-f", "{{.Id}}", image);
    String other = f.registry.host() + "/x/other:v1";
    docker.ok("tag", image, other);
    docker.ok("tag", image, "local/again");
    assertThat(docker.ok("images", "--format", "{{.Repository}}:{{.Tag}} {{.ID}}"))
        .contains(other + " " + id.substring(7, 19), "local/again:latest " + id.substring(7, 19));
    assertThat(
            docker.ok(
                "images", "--filter", "reference=local/*", "--format", "{{.Repository}}:{{.Tag}}"))
        .isEqualTo("local/again:latest");
    assertThat(docker.ok("images", "-q", "--filter", "dangling=true")).isEmpty();
    assertThat(docker.ok("images", "-q", "--filter", "until=2000-01-01T00:00:00Z")).isEmpty();
    assertThat(docker.run("images", "--filter", "colour=red").err())
        .contains("invalid filter 'colour'");
    Result many = docker.run("rmi", id.substring(7, 19));
    assertThat(many.exitCode()).isNotZero();
    assertThat(many.err())
        .contains(
            "unable to delete "
                + id.substring(7, 19)
                + " (must be forced) - image is referenced in multiple repositories");
    assertThat(docker.ok("rmi", other)).isEqualTo("Untagged: " + other);
    assertThat(docker.ok("rmi", "local/again")).isEqualTo("Untagged: local/again:latest");

    String stopped = docker.ok("create", image, "true");
    Result used = docker.run("rmi", image);
    assertThat(used.err())
        .contains(
            "unable to remove repository reference \""
                + image
                + "\" (must force) - "
                + "container "
                + stopped.substring(0, 12)
                + " is using its referenced image "
                + id.substring(7, 19));
    String running = docker.ok("run", "-d", image, "sleep", "300");
    assertThat(docker.run("rmi", "-f", id.substring(7)).err())
        .contains(
            "(cannot be forced) - image is being used by running container "
                + running.substring(0, 12));
    docker.ok("rm", "-f", stopped, running);
  }

  @Test
  void historyPruneAndDelete_freeTheBlobs() throws Exception {
    String history = docker.ok("history", "--format", "{{.ID}} {{.Size}}", image);
    assertThat(history.lines().findFirst().orElseThrow())
        .startsWith(docker.ok("inspect", "-f", "{{.Id}}", image).substring(7, 19));
    String copy = f.registry.host() + "/x/copy:1";
    docker.ok("tag", image, copy);
    docker.ok("rmi", copy);
    String keep = docker.ok("create", image, "true"); // busybox stays: a container uses it
    long before = countBlobs();
    String prunable = "local/prunable:1";
    TestImages.push(f.registry, "x/small", "1", oneFileLayer(), null, null);
    docker.ok("pull", f.registry.host() + "/x/small:1");
    assertThat(countBlobs()).isEqualTo(before + 2); // its config and its layer
    docker.ok("tag", f.registry.host() + "/x/small:1", prunable);
    assertThat(docker.ok("image", "prune", "-a", "-f", "--filter", "until=2000-01-01T00:00:00Z"))
        .doesNotContain(prunable);
    String pruned = docker.ok("image", "prune", "-a", "-f");
    assertThat(pruned).contains("untagged: " + prunable, "deleted: sha256:");
    assertThat(docker.ok("images", "--format", "{{.Repository}}"))
        .isEqualTo(f.registry.host() + "/x/busybox");
    assertThat(countBlobs()).isEqualTo(before);
    docker.ok("rm", keep);
  }

  private static byte[] oneFileLayer() throws Exception {
    ByteArrayOutputStream raw = new ByteArrayOutputStream();
    try (var tar = new TarArchiveOutputStream(raw)) {
      byte[] data = "small\n".getBytes();
      var e = new TarArchiveEntry("small.txt");
      e.setSize(data.length);
      tar.putArchiveEntry(e);
      tar.write(data);
      tar.closeArchiveEntry();
    }
    return raw.toByteArray();
  }

  @Test
  void saveThenLoad_roundTripsAnImageThatRuns() throws Exception {
    Path dir = Files.createTempDirectory("sdc-save");
    try {
      String saved = f.registry.host() + "/x/saved:1";
      docker.ok("tag", image, saved);
      String id = docker.ok("inspect", "-f", "{{.Id}}", saved);
      Path file = dir.resolve("img.tar");
      docker.ok("save", "-o", file.toString(), saved);
      Process list = new ProcessBuilder("tar", "-tf", file.toString()).start();
      String entries = new String(list.getInputStream().readAllBytes());
      list.waitFor();
      assertThat(entries)
          .contains("manifest.json", id.substring(7) + ".json", "/layer.tar", "repositories");
      docker.ok("rmi", saved);
      long blobs = countBlobs();
      assertThat(docker.ok("load", "-i", file.toString())).isEqualTo("Loaded image: " + saved);
      assertThat(countBlobs())
          .as("the same image's config and pulled layer, stored once")
          .isEqualTo(blobs);
      assertThat(docker.ok("inspect", "-f", "{{.Id}}", saved)).isEqualTo(id);
      assertThat(docker.ok("run", "--rm", saved, "echo", "loaded")).isEqualTo("loaded");
      docker.ok("rmi", saved);
      Path gz = dir.resolve("img.tar.gz"); // docker load takes a compressed archive too
      try (var out = new GZIPOutputStream(Files.newOutputStream(gz))) {
        Files.copy(file, out);
      }
      assertThat(docker.ok("load", "-i", gz.toString())).isEqualTo("Loaded image: " + saved);
      docker.ok("rmi", saved);

      Files.write(dir.resolve("bad.tar"), "not a tar at all".getBytes());
      Result bad = docker.run("load", "-i", dir.resolve("bad.tar").toString());
      assertThat(bad.exitCode()).isNotZero();
      assertThat(bad.err()).contains("no manifest.json");
    } finally {
      TestFiles.deleteTree(dir);
    }
  }

  @Test
  void commit_makesALayerOfTheChanges_leavingVolumesOut() throws Exception {
    String c =
        docker.ok(
            "run",
            "-d",
            "-v",
            "cvol:/data",
            image,
            "sh",
            "-c",
            "echo new > /added; rm /bin/noexec; echo vol > /data/v; sleep 300");
    await(c, "{{.State.Status}}", v -> v.equals("running"));
    for (int i = 0; i < 50 && docker.run("exec", c, "cat", "/data/v").exitCode() != 0; i++) {
      Thread.sleep(100);
    }
    String id =
        docker.ok(
            "commit",
            "-c",
            "ENV FROM_COMMIT=yes",
            "-c",
            "CMD [\"cat\", \"/added\"]",
            "-m",
            "my change",
            "-a",
            "me",
            c,
            "local/committed:1");
    assertThat(id).startsWith("sha256:");
    assertThat(docker.ok("run", "--rm", "local/committed:1")).isEqualTo("new");
    assertThat(
            docker.ok(
                "run",
                "--rm",
                "local/committed:1",
                "sh",
                "-c",
                "echo $FROM_COMMIT; test -e /bin/noexec || echo gone; test -e /data/v || echo no-volume-data"))
        .isEqualTo("yes\ngone\nno-volume-data");
    assertThat(
            docker.ok(
                "inspect",
                "-f",
                "{{.Comment}} {{.Author}} {{len .RootFS.Layers}}",
                "local/committed:1"))
        .isEqualTo("my change me 2");
    assertThat(docker.run("commit", "-c", "RUN true", c).err())
        .contains("run is not a valid change command");
    docker.ok("rm", "-f", c);
    docker.ok("rmi", "local/committed:1");
    docker.ok("volume", "rm", "cvol");
  }

  @Test
  void exportThenImport_fromAFileAndAUrl_runs() throws Exception {
    Path dir = Files.createTempDirectory("sdc-import");
    HttpServer server = null;
    try {
      String c = docker.ok("run", "-d", image, "sh", "-c", "echo exported > /marker; sleep 300");
      for (int i = 0; i < 50 && docker.run("exec", c, "cat", "/marker").exitCode() != 0; i++) {
        Thread.sleep(100);
      }
      Path fs = dir.resolve("fs.tar");
      docker.ok("export", "-o", fs.toString(), c);
      docker.ok("rm", "-f", c);
      String id =
          docker.ok(
              "import",
              "-c",
              "CMD [\"cat\", \"/marker\"]",
              "-m",
              "from export",
              fs.toString(),
              "local/imported:1");
      assertThat(id).startsWith("sha256:");
      assertThat(docker.ok("run", "--rm", "local/imported:1")).isEqualTo("exported");
      assertThat(docker.ok("inspect", "-f", "{{.Comment}}", "local/imported:1"))
          .isEqualTo("from export");

      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      byte[] tar = Files.readAllBytes(fs);
      server.createContext(
          "/fs.tar",
          ex -> {
            ex.sendResponseHeaders(200, tar.length);
            ex.getResponseBody().write(tar);
            ex.close();
          });
      server.start();
      String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/fs.tar";
      docker.ok("import", url, "local/fromurl:1");
      assertThat(docker.ok("run", "--rm", "local/fromurl:1", "cat", "/marker"))
          .isEqualTo("exported");

      Files.writeString(dir.resolve("bad.tar"), "not a tarball");
      Result bad = docker.run("import", dir.resolve("bad.tar").toString(), "local/bad:1");
      assertThat(bad.exitCode()).isNotZero();
      assertThat(bad.err()).contains("Error processing tar file");
      assertThat(docker.run("inspect", "local/bad:1").exitCode()).isNotZero();
      docker.ok("rmi", "local/imported:1", "local/fromurl:1");
    } finally {
      if (server != null) {
        server.stop(0);
      }
      TestFiles.deleteTree(dir);
    }
  }

  @Test
  void systemDf_countsWhatTheAccountHas() throws Exception {
    String c =
        docker.ok(
            "run",
            "-d",
            "-v",
            "dfvol:/data",
            image,
            "sh",
            "-c",
            "echo 12345 > /data/f; echo x > /w; sleep 300");
    for (int i = 0; i < 50 && docker.run("exec", c, "cat", "/w").exitCode() != 0; i++) {
      Thread.sleep(100);
    }
    String df = docker.ok("system", "df", "--format", "{{.Type}} {{.TotalCount}} {{.Active}}");
    assertThat(df.lines().toList())
        .contains("Images 1 1", "Containers 1 1", "Local Volumes 1 1", "Build Cache 0 0");
    assertThat(
            docker.ok(
                "system", "df", "-v", "--format", "{{range .Volumes}}{{.Name}} {{.Size}}{{end}}"))
        .isEqualTo("dfvol 6B");
    docker.ok("rm", "-f", c);
    docker.ok("volume", "rm", "dfvol");
  }

  private long countBlobs() throws Exception {
    try (var s = Files.walk(f.server.dataRoot().resolve("frontend/blobs"))) {
      return s.filter(Files::isRegularFile).count();
    }
  }
}
