package org.sdcdocker.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sdcdocker.it.support.DockerCli;
import org.sdcdocker.it.support.DockerCli.Result;
import org.sdcdocker.it.support.FixtureTest;
import org.sdcdocker.it.support.SdcServer;
import org.sdcdocker.it.support.TestFiles;
import org.sdcdocker.it.support.TestImages;

/**
 * Named and anonymous volumes, the volume commands, read-only mounts, the limits and host binds.
 */
class VolumeTest extends FixtureTest {
  @Test
  void namedVolume_carriesDataFromOneContainerToAnother() throws Exception {
    assertThat(docker.ok("volume", "create", "--label", "team=a", "shared")).isEqualTo("shared");
    docker.ok("run", "--rm", "-v", "shared:/data", image, "sh", "-c", "echo kept > /data/f");
    assertThat(docker.ok("run", "--rm", "-v", "shared:/in:ro", image, "cat", "/in/f"))
        .isEqualTo("kept");
    Result ro = docker.run("run", "--rm", "-v", "shared:/in:ro", image, "touch", "/in/g");
    assertThat(ro.exitCode()).isNotZero();
    assertThat(ro.err()).contains("Read-only file system");
    assertThat(
            docker.ok(
                "run", "--rm", "--mount", "type=volume,src=shared,dst=/m", image, "cat", "/m/f"))
        .isEqualTo("kept");
    assertThat(
            docker.ok(
                "volume",
                "inspect",
                "-f",
                "{{.Name}} {{.Driver}} {{.Labels.team}} {{.Scope}}",
                "shared"))
        .isEqualTo("shared local a local");
    assertThat(docker.ok("volume", "ls", "-q", "--filter", "label=team=a")).isEqualTo("shared");
    docker.ok("volume", "rm", "shared");
    assertThat(docker.run("volume", "inspect", "shared").err()).contains("no such volume");
  }

  @Test
  void aVolumeInUse_isNotRemoved_andDiffLeavesItOut() throws Exception {
    String id =
        docker.ok(
            "run", "-d", "-v", "busy:/work", image, "sh", "-c", "echo x > /work/x; sleep 300");
    Result rm = docker.run("volume", "rm", "busy");
    assertThat(rm.exitCode()).isNotZero();
    assertThat(rm.err()).contains("remove busy: volume is in use - [" + id + "]");
    assertThat(docker.ok("volume", "ls", "-q", "--filter", "dangling=false")).contains("busy");
    assertThat(docker.ok("ps", "-q", "--no-trunc", "--filter", "volume=busy")).isEqualTo(id);
    assertThat(
            docker.ok(
                "inspect",
                "-f",
                "{{range .Mounts}}{{.Type}} {{.Name}} {{.Destination}} {{.RW}}{{end}}",
                id))
        .isEqualTo("volume busy /work true");
    Thread.sleep(200);
    assertThat(docker.ok("diff", id)).doesNotContain("/work");
    docker.ok("rm", "-f", id);
    docker.ok("volume", "rm", "busy");
  }

  @Test
  void anonymousVolumes_areSeededFromTheImage_andGoWithRmV() throws Exception {
    String before = docker.ok("volume", "ls", "-q");
    String id = docker.ok("run", "-d", "-v", "/etc", image, "sleep", "300");
    assertThat(docker.ok("exec", id, "grep", "-c", "root", "/etc/passwd")).isEqualTo("1");
    String anon = docker.ok("inspect", "-f", "{{range .Mounts}}{{.Name}}{{end}}", id);
    assertThat(anon).matches("[0-9a-f]{64}");
    assertThat(docker.ok("volume", "ls", "-q")).contains(anon);
    docker.ok("rm", "-f", "-v", id);
    assertThat(docker.ok("volume", "ls", "-q")).isEqualTo(before);
  }

  @Test
  void anImagesVolume_becomesAnAnonymousVolume() throws Exception {
    TestImages.pushWithVolume(f.registry, "x/withvol", "latest", TestImages.busyboxLayer(), "/etc");
    String ref = f.registry.host() + "/x/withvol";
    docker.ok("pull", ref);
    String id = docker.ok("run", "-d", ref, "sleep", "300");
    assertThat(docker.ok("inspect", "-f", "{{range .Mounts}}{{.Type}} {{.Destination}}{{end}}", id))
        .isEqualTo("volume /etc");
    assertThat(docker.ok("exec", id, "head", "-1", "/etc/passwd")).startsWith("root:");
    docker.ok("rm", "-f", "-v", id);

    // as Docker's: a tmpfs at the VOLUME's path takes its place, no volume is made
    TestImages.pushWithVolume(
        f.registry, "x/withdata", "latest", TestImages.busyboxLayer(), "/data");
    String data = f.registry.host() + "/x/withdata";
    docker.ok("pull", data);
    String volumes = docker.ok("volume", "ls", "-q");
    String t = docker.ok("run", "-d", "--tmpfs", "/data", data, "sleep", "300");
    assertThat(docker.ok("inspect", "-f", "{{len .Mounts}}", t)).isEqualTo("0");
    assertThat(docker.ok("exec", t, "sh", "-c", "grep ' /data ' /proc/mounts")).contains("tmpfs");
    assertThat(docker.ok("volume", "ls", "-q")).isEqualTo(volumes);
    docker.ok("rm", "-f", "-v", t);
    docker.ok("rmi", data);
  }

  @Test
  void limitsAndHostBinds_areRefusedWithClearMessages() throws Exception {
    Result bind = docker.run("run", "--rm", "-v", "/tmp:/host", image, "true");
    assertThat(bind.exitCode()).isNotZero();
    assertThat(bind.err())
        .contains("host paths cannot be bound into containers on this server (/tmp)");
    List<String> args = new ArrayList<>(List.of("run", "--rm"));
    for (int i = 0; i < 9; i++) {
      args.add("-v");
      args.add("lim" + i + ":/v" + i);
    }
    args.add(image);
    args.add("true");
    Result many = docker.run(args.toArray(String[]::new));
    assertThat(many.err()).contains("at most 8 data volumes");
    assertThat(docker.ok("volume", "ls", "-q", "--filter", "name=lim")).isEmpty();
  }

  @Test
  void volumesFrom_sharesOnlyTheSourcesOwnVolumes_andKeepsTheSourceUntilItsUsersGo()
      throws Exception {
    String src =
        docker.ok(
            "run",
            "-d",
            "--name",
            "vsrc",
            "-v",
            "vfdata:/data",
            image,
            "sh",
            "-c",
            "echo from-src > /data/f; sleep 300");
    Thread.sleep(300);
    String user =
        docker.ok(
            "run", "-d", "--name", "vuser", "--volumes-from", "vsrc:ro", image, "sleep", "300");
    assertThat(docker.ok("exec", user, "cat", "/data/f")).isEqualTo("from-src");
    assertThat(docker.run("exec", user, "touch", "/data/g").err())
        .contains("Read-only file system");
    // the user's volumes are its source's: a third container taking from the user gets nothing of
    // vsrc's
    String third = docker.ok("run", "-d", "--volumes-from", "vuser", image, "sleep", "300");
    assertThat(docker.ok("inspect", "-f", "{{len .Mounts}}", third)).isEqualTo("0");
    Result rm = docker.run("rm", "-f", "vsrc");
    assertThat(rm.exitCode()).isNotZero();
    assertThat(rm.err())
        .contains("its volumes are used by container(s) [" + user + "] through --volumes-from");
    long hostMiB = Long.parseLong(docker.ok("info", "-f", "{{.MemTotal}}")) >> 20;
    Result full =
        docker.run("create", "--volumes-from", "vsrc", "-m", (hostMiB + 1024) + "m", image, "true");
    assertThat(full.err())
        .contains(
            "cannot create a container with --volumes-from vsrc: the compute node that "
                + "holds its volumes")
        .contains("has no capacity for it (")
        .contains((hostMiB + 1024) + " MiB asked)");
    assertThat(docker.run("create", "-m", (hostMiB + 1024) + "m", image, "true").err())
        .contains(
            "no compute node has capacity for this container: it asks for "
                + (hostMiB + 1024)
                + " MiB");
    Result two =
        docker.run(
            "run", "--rm", "--volumes-from", "vsrc", "--volumes-from", "vuser", image, "true");
    assertThat(two.err()).contains("at most 1 container(s) (the server's --max-volumes-from)");
    docker.ok("rm", "-f", third, user);
    docker.ok("rm", "-f", src);
    docker.ok("volume", "rm", "vfdata");
  }

  /**
   * The agent fetches URL volumes from the compute node itself, where the API's loopback listener
   * answers as the administrative account: a URL volume must not hand a container what the API says
   * about another container, directly or through a redirect.
   */
  @Test
  void urlVolumes_comeOnlyFromAllowedAddresses_notFromTheApiOrTheNode() throws Exception {
    String secret = docker.ok("create", "-e", "PASSWORD=hunter2", image, "true");
    String api = f.server.url() + "/containers/" + secret + "/json";
    HttpServer http =
        HttpServer.create(
            new InetSocketAddress(InetAddress.getByName(SdcServer.URL_VOLUME_HOST), 0), 0);
    http.createContext(
        "/to-the-api",
        ex -> {
          ex.getResponseHeaders().add("Location", api);
          ex.sendResponseHeaders(302, -1);
          ex.close();
        });
    http.start();
    try {
      Result direct =
          docker.run(
              "run", "--rm", "--mount", "type=bind,src=" + api + ",dst=/x", image, "cat", "/x");
      assertThat(direct.out()).doesNotContain("hunter2");
      assertThat(direct.err())
          .contains("fetching host volume " + api + ": 127.0.0.1 is a loopback address")
          .contains("--url-volume-allow");
      String hop =
          "http://" + SdcServer.URL_VOLUME_HOST + ":" + http.getAddress().getPort() + "/to-the-api";
      Result redirected =
          docker.run(
              "run", "--rm", "--mount", "type=bind,src=" + hop + ",dst=/x", image, "cat", "/x");
      assertThat(redirected.out()).doesNotContain("hunter2");
      assertThat(redirected.err()).contains("127.0.0.1 is a loopback address");
      for (String other :
          List.of("http://169.254.169.254/latest/meta-data", "http://10.210.0.1:2375/info")) {
        assertThat(
                docker
                    .run("create", "--mount", "type=bind,src=" + other + ",dst=/x", image, "true")
                    .err())
            .containsAnyOf("is a link-local address", "is a private address");
      }
      assertThat(docker.ok("ps", "-aq", "--no-trunc")).doesNotContain("\n\n");
    } finally {
      http.stop(0);
      docker.ok("rm", secret);
    }
  }

  @Test
  void urlVolumes_fetchOneFileReadOnly() throws Exception {
    HttpServer http =
        HttpServer.create(
            new InetSocketAddress(InetAddress.getByName(SdcServer.URL_VOLUME_HOST), 0), 0);
    http.createContext(
        "/conf.txt",
        ex -> {
          byte[] body = "setting=1\n".getBytes();
          ex.sendResponseHeaders(200, body.length);
          ex.getResponseBody().write(body);
          ex.close();
        });
    http.start();
    try {
      // the docker CLI takes a URL (with its port's colon) only through --mount
      String url =
          "http://" + SdcServer.URL_VOLUME_HOST + ":" + http.getAddress().getPort() + "/conf.txt";
      String mount = "type=bind,src=" + url + ",dst=";
      assertThat(
              docker.ok(
                  "run", "--rm", "--mount", mount + "/etc/app.conf", image, "cat", "/etc/app.conf"))
          .isEqualTo("setting=1");
      assertThat(
              docker
                  .run(
                      "run",
                      "--rm",
                      "--mount",
                      mount + "/etc/app.conf",
                      image,
                      "sh",
                      "-c",
                      "echo x > /etc/app.conf")
                  .err())
          .contains("Read-only file system");
      assertThat(
              docker
                  .run(
                      "run",
                      "--rm",
                      "--mount",
                      "type=bind,src=" + url.replace("conf.txt", "missing") + ",dst=/x",
                      image,
                      "true")
                  .err())
          .contains("the server answered 404");
      assertThat(
              docker
                  .run(
                      "run",
                      "--rm",
                      "--mount",
                      mount + "/a",
                      "--mount",
                      mount + "/b",
                      image,
                      "true")
                  .err())
          .contains("at most 1 URL volume(s) (the server's --max-url-volumes)");
      Result link = docker.run("run", "--rm", "--mount", mount + "/bin/sh", image, "true");
      assertThat(link.err()).contains("must not contain symlinks");
      String kept = docker.ok("create", "--mount", mount + "/bin/sh", image, "true");
      assertThat(docker.run("start", kept).err()).contains("must not contain symlinks");
      assertThat(f.server.leftovers()).noneMatch(l -> l.startsWith("mount:") && l.contains(kept));
      docker.ok("rm", kept);
    } finally {
      http.stop(0);
    }
  }

  @Test
  void hostBinds_whenTheServerAllowsThem() throws Exception {
    try (SdcServer allowing = SdcServer.start(true)) {
      DockerCli cli = new DockerCli(allowing.host());
      cli.ok("pull", image);
      Path dir = Files.createTempDirectory("sdc-bind");
      Files.writeString(dir.resolve("in"), "host\n");
      try {
        assertThat(
                cli.ok(
                    "run",
                    "--rm",
                    "-v",
                    dir + ":/srv",
                    image,
                    "sh",
                    "-c",
                    "cat /srv/in; echo back > /srv/out"))
            .isEqualTo("host");
        assertThat(Files.readString(dir.resolve("out"))).isEqualTo("back\n");
        assertThat(cli.run("run", "--rm", "-v", dir + ":/srv:ro", image, "touch", "/srv/x").err())
            .contains("Read-only");
      } finally {
        TestFiles.deleteTree(dir);
      }
    }
  }

  @Test
  void cpGoesIntoVolumes_tmpfsMounts_volumeEvents_andDataOutlivesTheAgent() throws Exception {
    String since = Long.toString(Instant.now().getEpochSecond() - 1);
    docker.ok("volume", "create", "keep");
    String id =
        docker.ok(
            "run",
            "-d",
            "-v",
            "keep:/keep",
            "--mount",
            "type=tmpfs,dst=/scratch,tmpfs-size=1m",
            image,
            "sleep",
            "300");
    assertThat(docker.ok("exec", id, "sh", "-c", "grep ' /scratch ' /proc/mounts | cut -d' ' -f3"))
        .isEqualTo("tmpfs");
    Path tmp = Files.createTempDirectory("sdc-vcp");
    try {
      Files.writeString(tmp.resolve("in.txt"), "through cp\n");
      docker.ok("cp", tmp.resolve("in.txt").toString(), id + ":/keep/");
      assertThat(docker.ok("exec", id, "cat", "/keep/in.txt")).isEqualTo("through cp");
      docker.ok("exec", id, "sh", "-c", "echo made-inside > /keep/out.txt");
      docker.ok("cp", id + ":/keep", tmp.resolve("copy").toString());
      assertThat(Files.readString(tmp.resolve("copy/out.txt"))).isEqualTo("made-inside\n");
    } finally {
      TestFiles.deleteTree(tmp);
    }
    f.server.stopAgent();
    f.server.startAgent();
    docker.ok("rm", "-f", id);
    assertThat(docker.ok("run", "--rm", "-v", "keep:/k", image, "cat", "/k/out.txt"))
        .isEqualTo("made-inside");
    docker.ok("volume", "rm", "keep");
    String until = Long.toString(Instant.now().getEpochSecond() + 1);
    Thread.sleep(1100);
    assertThat(
            docker
                .ok(
                    "events",
                    "--since",
                    since,
                    "--until",
                    until,
                    "--filter",
                    "type=volume",
                    "--format",
                    "{{.Action}} {{.Actor.ID}}")
                .lines()
                .toList())
        .contains("create keep", "destroy keep");
  }
}
