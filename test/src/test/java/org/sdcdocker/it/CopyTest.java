package org.sdcdocker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sdcdocker.it.support.DockerCli.Result;
import org.sdcdocker.it.support.FixtureTest;

/** docker cp both ways and docker export, through the archive API and the agent's data plane. */
class CopyTest extends FixtureTest {
  @TempDir Path dir;

  @Test
  void cpOut_fileAndDirectory() throws Exception {
    String id =
        docker.ok(
            "run",
            "-d",
            image,
            "sh",
            "-c",
            "mkdir -p /d/sub; echo in > /d/sub/f; ln -s f /d/sub/l; sleep 300");
    Thread.sleep(300);
    docker.ok("cp", id + ":/etc/passwd", dir.resolve("passwd").toString());
    assertThat(Files.readString(dir.resolve("passwd"))).startsWith("root:x:0:0:");
    docker.ok("cp", id + ":/d", dir.resolve("d").toString());
    assertThat(Files.readString(dir.resolve("d/sub/f"))).isEqualTo("in\n");
    assertThat(Files.readSymbolicLink(dir.resolve("d/sub/l"))).isEqualTo(Path.of("f"));
    Result missing = docker.run("cp", id + ":/nosuch", dir.resolve("x").toString());
    assertThat(missing.err()).contains("Could not find the file /nosuch in container");
    docker.ok("rm", "-f", id);
  }

  @Test
  void cpIn_ownersAndStoppedContainers() throws Exception {
    Path src = Files.createDirectories(dir.resolve("src/sub"));
    Files.writeString(src.resolve("f"), "hello\n");
    new ProcessBuilder("chown", "-R", "4321:4321", dir.resolve("src").toString()).start().waitFor();
    String id = docker.ok("run", "-d", image, "sleep", "300");
    docker.ok("cp", dir.resolve("src").toString(), id + ":/tmp/");
    assertThat(
            docker.ok("exec", id, "sh", "-c", "stat -c '%u %n' /tmp/src/sub/f; cat /tmp/src/sub/f"))
        .isEqualTo("0 /tmp/src/sub/f\nhello");
    docker.ok("cp", "-a", src.resolve("f").toString(), id + ":/kept");
    assertThat(docker.ok("exec", id, "stat", "-c", "%u:%g", "/kept")).isEqualTo("4321:4321");
    String stopped = docker.ok("create", image, "cat", "/etc/added");
    docker.ok("cp", src.resolve("f").toString(), stopped + ":/etc/added");
    docker.ok("start", stopped);
    assertThat(docker.ok("wait", stopped)).isEqualTo("0");
    assertThat(docker.ok("logs", stopped)).isEqualTo("hello");
    docker.ok("rm", "-f", id, stopped);
  }

  @Test
  void cpIn_followsTheContainersLinksInsideTheContainer() throws Exception {
    Path file = Files.writeString(dir.resolve("marker-" + System.nanoTime()), "x\n");
    String id = docker.ok("run", "-d", image, "sh", "-c", "ln -s /etc /tmp/evil; sleep 300");
    Thread.sleep(300);
    docker.ok("cp", file.toString(), id + ":/tmp/evil/");
    assertThat(docker.ok("exec", id, "cat", "/etc/" + file.getFileName())).isEqualTo("x");
    assertThat(Path.of("/etc", file.getFileName().toString())).doesNotExist();
    docker.ok("rm", "-f", id);
  }

  @Test
  void export_isTheWholeFilesystem() throws Exception {
    String id = docker.ok("run", "-d", image, "sh", "-c", "echo made > /made; sleep 300");
    Thread.sleep(300);
    Path tar = dir.resolve("export.tar");
    docker.ok("export", "-o", tar.toString(), id);
    Process t = new ProcessBuilder("tar", "-xOf", tar.toString(), "made").start();
    assertThat(new String(t.getInputStream().readAllBytes())).isEqualTo("made\n");
    Process list = new ProcessBuilder("tar", "-tf", tar.toString()).start();
    assertThat(new String(list.getInputStream().readAllBytes()))
        .contains("bin/busybox", "etc/passwd");
    String stopped = docker.ok("create", image, "true");
    docker.ok("export", "-o", dir.resolve("stopped.tar").toString(), stopped);
    assertThat(Files.size(dir.resolve("stopped.tar"))).isGreaterThan(100_000);
    docker.ok("rm", "-f", id, stopped);
  }
}
