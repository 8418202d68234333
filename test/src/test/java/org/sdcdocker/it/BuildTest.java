package org.sdcdocker.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sdcdocker.it.support.DockerCli.Result;
import org.sdcdocker.it.support.FixtureTest;

/**
 * docker build with the classic builder: every instruction, stages, the cache, errors, clean-up.
 */
class BuildTest extends FixtureTest {
  /** Contexts and archives of the tests, removed with the class. */
  @TempDir Path scratch;

  @Test
  void multiStageBuild_runsAndHitsTheCacheTheSecondTime() throws Exception {
    Path ctx = Files.createTempDirectory(scratch, "ctx");
    Files.createDirectories(ctx.resolve("files"));
    Files.writeString(ctx.resolve("files/a.txt"), "a content\n");
    Files.writeString(ctx.resolve("files/b.txt"), "to be removed\n");
    Files.writeString(ctx.resolve("files/ignored.txt"), "never sent\n");
    Files.writeString(ctx.resolve("debug.log"), "never sent\n");
    Files.writeString(ctx.resolve("one.txt"), "one\n");
    Files.writeString(ctx.resolve(".dockerignore"), "*.log\nfiles/ignored.txt\n");
    writeTarGz(ctx.resolve("archive.tar.gz"), "inside.txt", "unpacked by ADD\n");
    Files.writeString(
        ctx.resolve("Dockerfile"),
        String.join(
            "\n",
            "# a comment",
            "ARG BASE=" + image,
            "FROM scratch AS files",
            "COPY one.txt /one.txt",
            "FROM $BASE AS builder",
            "ARG GREETING=hello",
            "ENV APP=/app \\",
            "    MODE=\"built here\"",
            "WORKDIR $APP",
            "COPY files/ ./src/",
            "COPY --chown=1000:1000 one.txt /owned/",
            "ADD archive.tar.gz /unpacked/",
            "RUN echo \"$GREETING from $MODE\" > out.txt && cat src/a.txt >> out.txt && rm -f src/b.txt",
            "FROM " + image,
            "LABEL org.example.stage=final",
            "COPY --from=builder /app/out.txt /result/out.txt",
            "COPY --from=files /one.txt /result/",
            "EXPOSE 8080",
            "STOPSIGNAL SIGUSR1",
            "HEALTHCHECK --interval=5s --retries=2 CMD true",
            "CMD [\"cat\", \"/result/out.txt\"]",
            ""));
    String tag = "local/built:1";
    Result first =
        docker.run(
            120,
            "build",
            "-t",
            tag,
            "-t",
            "local/built:also",
            "--build-arg",
            "GREETING=hi",
            "--label",
            "built.by=test",
            ctx.toString());
    assertThat(first.exitCode()).as(first.all()).isZero();
    assertThat(first.out())
        .contains(
            "Step 1/20 : ARG BASE=" + image,
            " ---> Running in ",
            "Successfully built ",
            "Successfully tagged " + tag,
            "Successfully tagged local/built:also");
    assertThat(docker.ok("run", "--rm", tag)).isEqualTo("hi from built here\na content");
    assertThat(docker.ok("run", "--rm", tag, "cat", "/result/one.txt")).isEqualTo("one");
    assertThat(
            docker.ok(
                "inspect",
                "-f",
                "{{json .Config.Labels}} {{json .Config.ExposedPorts}} "
                    + "{{.Config.StopSignal}} {{.Config.Healthcheck.Test}} {{.Config.Healthcheck.Interval}}",
                tag))
        .isEqualTo(
            "{\"built.by\":\"test\",\"org.example.stage\":\"final\",\"org.sdcdocker.test\":\"busybox\"} "
                + "{\"8080/tcp\":{}} SIGUSR1 "
                + "[CMD-SHELL true] 5s");
    assertThat(docker.ok("history", "--no-trunc", "--format", "{{.CreatedBy}}", tag))
        .contains("COPY --from=builder file:", "EXPOSE 8080", "cat\",\"/result/out.txt");
    String steps = docker.ok("history", "--format", "{{.ID}} {{.CreatedBy}}", tag);
    assertThat(steps.lines())
        .hasSize(8)
        .allSatisfy(l -> assertThat(l).doesNotStartWith("<missing>"));

    String id = docker.ok("inspect", "-f", "{{.Id}}", tag);
    Result second =
        docker.run(
            120,
            "build",
            "-t",
            tag,
            "--build-arg",
            "GREETING=hi",
            "--label",
            "built.by=test",
            ctx.toString());
    assertThat(second.exitCode()).as(second.all()).isZero();
    assertThat(second.out()).doesNotContain("Running in").contains("Using cache");
    assertThat(docker.ok("inspect", "-f", "{{.Id}}", tag)).isEqualTo(id);

    String builder = "local/built:builder";
    Result target =
        docker.run(
            120,
            "build",
            "--target",
            "builder",
            "-t",
            builder,
            "--build-arg",
            "GREETING=hi",
            ctx.toString());
    assertThat(target.exitCode()).as(target.all()).isZero();
    assertThat(target.out()).doesNotContain("Running in");
    assertThat(
            docker.ok(
                "run",
                "--rm",
                builder,
                "sh",
                "-c",
                "pwd; stat -c '%u:%g' /owned/one.txt; cat /unpacked/inside.txt; ls src; echo $MODE"))
        .isEqualTo("/app\n1000:1000\nunpacked by ADD\na.txt\nbuilt here");

    String quiet =
        docker.ok(
            "build",
            "-q",
            "--build-arg",
            "GREETING=hi",
            "--label",
            "built.by=test",
            ctx.toString());
    assertThat(quiet).isEqualTo(id);
    assertThat(docker.ok("ps", "-aq")).isEmpty(); // every step's container removed

    String rmi = docker.ok("rmi", tag, "local/built:also", builder);
    assertThat(rmi).contains("Untagged: " + tag, "Deleted: " + id);
    assertThat(rmi.lines().filter(l -> l.startsWith("Deleted:")).count()).isGreaterThan(10);
    docker.ok(
        "image", "prune", "-f"); // the other stages stay behind as dangling images, as with Docker
    assertThat(docker.ok("images", "-a", "-q")).isEqualTo(docker.ok("images", "-q", image));
  }

  @Test
  void failingSteps_giveDockersErrorsAndLeaveNothingBehind() throws Exception {
    Path ctx = Files.createTempDirectory(scratch, "ctx");
    Files.writeString(
        ctx.resolve("Dockerfile"), "FROM " + image + "\nRUN echo about to fail; exit 3\n");
    Result failed = docker.run(120, "build", "--force-rm", "-t", "local/fails", ctx.toString());
    assertThat(failed.exitCode()).isEqualTo(3); // the CLI exits with the step's code, as Docker's
    assertThat(failed.out()).contains("about to fail");
    assertThat(failed.err())
        .contains(
            "The command '/bin/sh -c echo about to fail; exit 3' returned a non-zero " + "code: 3");
    assertThat(docker.ok("ps", "-aq")).isEmpty();
    Result none = docker.run("inspect", "local/fails");
    assertThat(none.exitCode()).isEqualTo(1);
    assertThat(none.err()).contains("No such object: local/fails");

    Result kept =
        docker.run(120, "build", ctx.toString()); // without --force-rm, Docker keeps the container
    assertThat(kept.exitCode()).isEqualTo(3);
    String left = docker.ok("ps", "-aq");
    assertThat(docker.ok("inspect", "-f", "{{.State.ExitCode}}", left)).isEqualTo("3");
    docker.ok("rm", left);

    Files.writeString(ctx.resolve("Dockerfile"), "FROM " + image + "\nFROBNICATE now\n");
    assertThat(docker.run("build", ctx.toString()).err())
        .contains("dockerfile parse error on line 2: unknown instruction: FROBNICATE");
    Files.writeString(ctx.resolve("Dockerfile"), "FROM " + image + "\nCOPY nothing.txt /\n");
    assertThat(docker.run("build", ctx.toString()).err())
        .contains(
            "COPY failed: file not found in build context or excluded by .dockerignore: stat nothing.txt");
    Files.writeString(ctx.resolve("Dockerfile"), "FROM " + f.registry.host() + "/x/absent\n");
    assertThat(docker.run("build", ctx.toString()).err()).contains("not found");
    Result noFile = docker.run("build", "-f", "Nope", ctx.toString());
    assertThat(noFile.exitCode()).as(noFile.all()).isEqualTo(1);
    assertThat(noFile.err()).contains("Nope");
    assertThat(docker.ok("ps", "-aq")).isEmpty();
    docker.ok("image", "prune", "-f");
  }

  @Test
  void onbuildTriggersShellAndStdinDockerfile() throws Exception {
    Path ctx = Files.createTempDirectory(scratch, "ctx");
    Files.writeString(
        ctx.resolve("Dockerfile"),
        String.join(
            "\n",
            "FROM " + image,
            "SHELL [\"/bin/sh\", \"-c\"]",
            "ONBUILD RUN echo triggered > /trigger.txt",
            "WORKDIR /made/here",
            "ENTRYPOINT [\"id\", \"-u\"]",
            ""));
    docker.ok("build", "-q", "-t", "local/base", ctx.toString());
    assertThat(docker.ok("run", "--rm", "local/base")).isEqualTo("0");
    docker.ok(
        "run",
        "--rm",
        "-w",
        "/",
        "--entrypoint",
        "test",
        "local/base",
        "-d",
        "/made/here"); // in the image
    Result child =
        docker.runWithInput(
            120,
            "FROM local/base\nUSER 1000:1000\nENTRYPOINT []\nCMD cat /trigger.txt\n",
            "build",
            "-t",
            "local/child",
            "-");
    assertThat(child.exitCode()).as(child.all()).isZero();
    assertThat(child.out()).contains("Executing 1 build trigger");
    assertThat(docker.ok("run", "--rm", "local/child")).isEqualTo("triggered");
    assertThat(docker.ok("run", "--rm", "--entrypoint", "id", "local/child", "-u"))
        .isEqualTo("1000");
    docker.ok("rmi", "local/child", "local/base");
  }

  @Test
  void remoteContexts_stepLimitsAndCopyIntoAVolumePath() throws Exception {
    ByteArrayOutputStream tar = new ByteArrayOutputStream();
    try (var out = new GZIPOutputStream(tar);
        var t = new TarArchiveOutputStream(out)) {
      for (String[] e :
          new String[][] {
            {
              "Dockerfile",
              "FROM "
                  + image
                  + "\nVOLUME /data\nCOPY hello.txt /data/\nCMD [\"cat\", \"/data/hello.txt\"]\n"
            },
            {"hello.txt", "hello remote\n"}
          }) {
        byte[] data = e[1].getBytes();
        var entry = new TarArchiveEntry(e[0]);
        entry.setSize(data.length);
        entry.setMode(0644);
        t.putArchiveEntry(entry);
        t.write(data);
        t.closeArchiveEntry();
      }
    }
    String plain =
        "FROM "
            + image
            + "\nRUN grep build-host /etc/hosts > /hosts.txt\nCMD [\"cat\", \"/hosts.txt\"]\n";
    var server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/ctx.tar.gz",
        x -> {
          x.sendResponseHeaders(200, tar.size());
          x.getResponseBody().write(tar.toByteArray());
          x.close();
        });
    server.createContext(
        "/Dockerfile",
        x -> {
          byte[] b = plain.getBytes();
          x.getResponseHeaders().add("Content-Type", "text/plain");
          x.sendResponseHeaders(200, b.length);
          x.getResponseBody().write(b);
          x.close();
        });
    server.start();
    try {
      String base = "http://127.0.0.1:" + server.getAddress().getPort();
      Result fromTar = docker.run(120, "build", "-t", "local/remote", base + "/ctx.tar.gz");
      assertThat(fromTar.exitCode()).as(fromTar.all()).isZero();
      assertThat(docker.ok("run", "--rm", "local/remote"))
          .isEqualTo("hello remote"); // not lost in the volume
      Result fromFile =
          docker.run(
              120,
              "build",
              "-t",
              "local/plain",
              "-m",
              "64m",
              "--add-host",
              "build-host:10.1.2.3",
              base + "/Dockerfile");
      assertThat(fromFile.exitCode()).as(fromFile.all()).isZero();
      assertThat(docker.ok("run", "--rm", "local/plain")).contains("10.1.2.3", "build-host");
      assertThat(docker.run("build", base + "/missing").err())
          .contains("unable to download remote context");
    } finally {
      server.stop(0);
    }
    docker.ok("rmi", "local/remote", "local/plain");
    assertThat(docker.ok("ps", "-aq")).isEmpty();
    assertThat(docker.ok("volume", "ls", "-q"))
        .isEmpty(); // the steps' anonymous volumes went with them
  }

  @Test
  void aClientThatGoesAway_cancelsTheBuildAndItsStep() throws Exception {
    ByteArrayOutputStream tar = new ByteArrayOutputStream();
    try (var t = new TarArchiveOutputStream(tar)) {
      byte[] df = ("FROM " + image + "\nRUN echo started; sleep 60\n").getBytes();
      var e = new TarArchiveEntry("Dockerfile");
      e.setSize(df.length);
      t.putArchiveEntry(e);
      t.write(df);
      t.closeArchiveEntry();
    }
    var http = HttpClient.newHttpClient();
    var resp =
        http.send(
            HttpRequest.newBuilder(URI.create(f.server.url() + "/build"))
                .header("Content-Type", "application/x-tar")
                .POST(HttpRequest.BodyPublishers.ofByteArray(tar.toByteArray()))
                .build(),
            HttpResponse.BodyHandlers.ofInputStream());
    try (var body = new BufferedReader(new InputStreamReader(resp.body()))) {
      String line;
      while ((line = body.readLine()) != null
          && !line.contains("\"stream\":\"started")) { // the step's output
        assertThat(line).doesNotContain("errorDetail");
      }
      assertThat(docker.ok("ps", "-q")).isNotEmpty(); // the step runs
    } // the client goes away mid-step
    String left = "";
    for (int i = 0; i < 100; i++) { // bounded: 10 s
      left = docker.ok("ps", "-aq");
      if (left.isEmpty()) {
        break;
      }
      Thread.sleep(100);
    }
    assertThat(left).as("the cancelled step's container").isEmpty();
    docker.ok("image", "prune", "-f");
  }

  private static void writeTarGz(Path file, String name, String content) throws Exception {
    try (var out = new GZIPOutputStream(Files.newOutputStream(file));
        var tar = new TarArchiveOutputStream(out)) {
      byte[] data = content.getBytes();
      var e = new TarArchiveEntry(name);
      e.setSize(data.length);
      e.setMode(0644);
      tar.putArchiveEntry(e);
      tar.write(data);
      tar.closeArchiveEntry();
    }
  }
}
