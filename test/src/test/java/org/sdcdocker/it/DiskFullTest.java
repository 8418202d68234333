package org.sdcdocker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.sdcdocker.it.support.DockerCli;
import org.sdcdocker.it.support.DockerCli.Result;
import org.sdcdocker.it.support.LocalRegistry;
import org.sdcdocker.it.support.SdcServer;
import org.sdcdocker.it.support.TestFiles;
import org.sdcdocker.it.support.TestImages;

/**
 * The data root on a small tmpfs, filled up: pulls, builds, commits, creates and loads that run out
 * of space fail with {@code no space left on device} in their message, leave no half-written image,
 * layer, record or container, and the server works again once space is freed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DiskFullTest {
  private Path mnt;
  private LocalRegistry registry;
  private SdcServer server;
  private DockerCli docker;
  private String image;

  @BeforeAll
  void start() throws Exception {
    mnt = Files.createTempDirectory("sdc-diskfull");
    run("mount", "-t", "tmpfs", "-o", "size=96m", "tmpfs", mnt.toString());
    Path root = Files.createDirectory(mnt.resolve("data"));
    registry = LocalRegistry.start(null, null);
    TestImages.push(registry, "x/busybox", "latest", TestImages.busyboxLayer(), null, null);
    server = SdcServer.start(false, root);
    docker = new DockerCli(server.host());
    image = registry.host() + "/x/busybox";
    docker.ok("pull", image);
  }

  @AfterAll
  void stop() throws Exception {
    try {
      if (server != null) {
        server.close();
      }
    } finally {
      if (registry != null) {
        registry.close();
      }
      run("umount", "-l", mnt.toString());
      Files.deleteIfExists(mnt);
    }
  }

  private static void run(String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).inheritIO().start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(String.join(" ", cmd)).isZero();
  }

  /** Fills the tmpfs to the last byte with a file of its own; returns it. */
  private Path fill() throws IOException {
    Path filler = mnt.resolve("filler");
    byte[] block = new byte[1 << 16];
    try (OutputStream out = Files.newOutputStream(filler)) {
      while (true) {
        out.write(block);
      }
    } catch (IOException full) {
      // the tmpfs is full
    }
    try (OutputStream out =
        Files.newOutputStream(mnt.resolve("filler-tail"))) { // the last partial blocks
      for (int i = 0; i < 1 << 16; i++) {
        out.write(0);
      }
    } catch (IOException full) {
      // now it is
    }
    return filler;
  }

  private static byte[] randomLayer() throws IOException {
    byte[] data = new byte[3 << 20];
    new Random(7).nextBytes(data);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (var tar = new TarArchiveOutputStream(out)) {
      var e = new TarArchiveEntry("big");
      e.setSize(data.length);
      tar.putArchiveEntry(e);
      tar.write(data);
      tar.closeArchiveEntry();
    }
    return out.toByteArray();
  }

  private void free() throws IOException {
    Files.deleteIfExists(mnt.resolve("filler"));
    Files.deleteIfExists(mnt.resolve("filler-tail"));
  }

  private static void saysNoSpace(Result r, String what) {
    assertThat(r.exitCode()).as(what + ": " + r.all()).isNotZero();
    assertThat(r.all().toLowerCase()).as(what).contains("no space left on device");
  }

  private List<String> scratch() throws IOException {
    Path root = server.dataRoot();
    List<String> left = new ArrayList<>();
    for (Path d :
        List.of(
            root.resolve("frontend/scratch"),
            root.resolve("frontend/blobs/tmp"),
            root.resolve("agent/layers/tmp"))) {
      if (Files.isDirectory(d)) {
        try (var s = Files.list(d)) {
          s.forEach(p -> left.add(p.toString()));
        }
      }
    }
    return left;
  }

  @Test
  void everyWriterFailsClearly_leavesNothingHalfDone_andTheServerRecovers() throws Exception {
    String running = docker.ok("run", "-d", image, "sh", "-c", "echo made > /made; sleep 300");
    TestImages.push(
        registry, "x/other", "latest", randomLayer(), null, null); // blobs this server lacks
    String imagesBefore = docker.ok("images", "-q", "--no-trunc");
    String containersBefore = docker.ok("ps", "-aq", "--no-trunc");
    Path ctx = Files.createTempDirectory("sdc-diskfull-ctx");
    Files.writeString(ctx.resolve("Dockerfile"), "FROM " + image + "\nRUN echo built > /built\n");
    Files.write(ctx.resolve("payload"), new byte[4 << 20]);
    // an image this server will not have when the disk is full: pulled, saved, removed
    String other = registry.host() + "/x/other";
    docker.ok("pull", other);
    Path saved = ctx.resolve("other.tar");
    docker.ok("save", "-o", saved.toString(), other);
    docker.ok("rmi", other);
    // a container writing its log all along
    String writer =
        docker.ok(
            "run",
            "-d",
            image,
            "sh",
            "-c",
            "i=0; while [ $i -lt 100000 ]; do echo line$i; i=$((i+1)); sleep 0.01; done");
    containersBefore = docker.ok("ps", "-aq", "--no-trunc");
    try {
      fill();
      saysNoSpace(docker.run("commit", running, "local/full:1"), "commit");
      saysNoSpace(docker.run(60, "create", image, "true"), "create");
      Result pull = docker.run(120, "pull", registry.host() + "/x/other");
      saysNoSpace(pull, "pull");
      Result build = docker.run(120, "build", "-t", "local/full-build:1", ctx.toString());
      saysNoSpace(build, "build");
      saysNoSpace(docker.run(120, "load", "-i", saved.toString()), "load");
      Thread.sleep(300); // the writer's lines meet the full disk: they are lost, nothing else is
      assertThat(docker.ok("inspect", "-f", "{{.State.Running}}", writer)).isEqualTo("true");
      assertThat(docker.run("logs", "--tail", "1", writer).exitCode()).isZero();

      // nothing half-written: the same images and containers, no work files
      assertThat(docker.ok("images", "-q", "--no-trunc")).isEqualTo(imagesBefore);
      assertThat(docker.ok("ps", "-aq", "--no-trunc")).isEqualTo(containersBefore);
      assertThat(scratch()).isEmpty();
      assertThat(docker.run("image", "inspect", "local/full:1").exitCode()).isNotZero();

      free();
      assertThat(docker.ok("run", "--rm", image, "echo", "works again")).isEqualTo("works again");
      String last = docker.ok("logs", "--tail", "1", writer);
      String later = last;
      for (int i = 0; i < 100 && later.equals(last); i++) { // its log goes on once there is room
        Thread.sleep(50);
        later = docker.ok("logs", "--tail", "1", writer);
      }
      assertThat(later).startsWith("line").isNotEqualTo(last);
      assertThat(docker.ok("load", "-i", saved.toString())).contains("Loaded image: " + other);
      docker.ok("commit", running, "local/full:1");
      assertThat(
              docker.run(120, "build", "-q", "-t", "local/full-build:1", ctx.toString()).exitCode())
          .isZero();
      assertThat(docker.ok("exec", running, "cat", "/made")).isEqualTo("made");
      docker.ok("rm", "-f", running, writer);
      docker.ok("rmi", "local/full:1", "local/full-build:1", registry.host() + "/x/other");
    } finally {
      free();
      docker.run("rm", "-f", running, writer);
      TestFiles.deleteTree(ctx);
    }
  }
}
