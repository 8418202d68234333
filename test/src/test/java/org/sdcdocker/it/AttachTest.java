package org.sdcdocker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.sdcdocker.it.support.DockerCli.Result;
import org.sdcdocker.it.support.FixtureTest;

/**
 * stdin and TTY through conmon's attach socket: run -i, run -it in a pseudo-terminal, attach, start
 * -ai, resize.
 */
class AttachTest extends FixtureTest {

  @Test
  void runI_passesStdinToItsEnd() throws Exception {
    Result r =
        docker.runWithInput(
            30, "one\ntwo\n", "run", "--rm", "-i", image, "sh", "-c", "cat; echo done; exit 4");
    assertThat(r.exitCode()).as(r.all()).isEqualTo(4);
    assertThat(r.out()).isEqualTo("one\ntwo\ndone\n");
  }

  @Test
  void runIt_inAPseudoTerminal() throws Exception {
    ProcessBuilder pb =
        new ProcessBuilder("script", "-qec", "docker run --rm -it " + image + " sh", "/dev/null");
    pb.environment().put("DOCKER_HOST", f.server.host());
    Process p = pb.redirectErrorStream(true).start();
    p.getOutputStream().write("echo hi from $(tty)\nexit 3\n".getBytes());
    p.getOutputStream().flush();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.exitValue()).as(out).isEqualTo(3);
    assertThat(out).contains("hi from /dev/pts/0");
  }

  @Test
  void startA_ofAnExitedContainer_printsTheNewRunsOutput_streamsApart() throws Exception {
    String name = "sa-" + System.nanoTime();
    Result first =
        docker.run(
            "run", "--name", name, image, "sh", "-c", "echo to-stdout; echo to-stderr >&2; exit 2");
    assertThat(first.exitCode()).isEqualTo(2);
    for (int i = 0; i < 3; i++) { // each start attaches to its own run
      Result again = docker.run(30, "start", "-a", name);
      assertThat(again.out()).as(again.all()).isEqualTo("to-stdout\n");
      assertThat(again.err()).as(again.all()).isEqualTo("to-stderr\n");
      assertThat(again.exitCode()).isEqualTo(2);
    }
    docker.ok("rm", name);
  }

  @Test
  void attachWithoutStream_answersTheLogsSoFarAndEnds() throws Exception {
    String id = docker.ok("run", "-d", image, "sh", "-c", "echo logged; sleep 300");
    for (int i = 0; i < 100 && !docker.ok("logs", id).contains("logged"); i++) {
      Thread.sleep(50);
    }
    HttpClient http = HttpClient.newHttpClient();
    HttpResponse<byte[]> logs =
        http.send(
            HttpRequest.newBuilder(
                    URI.create(
                        f.server.url()
                            + "/containers/"
                            + id
                            + "/attach?logs=1&stream=0&stdout=1&stderr=1"))
                .timeout(Duration.ofSeconds(20))
                .POST(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());
    assertThat(logs.statusCode()).isEqualTo(200);
    byte[] framed = logs.body();
    assertThat(framed[0]).isEqualTo((byte) 1); // a stdout frame, then its bytes
    assertThat(new String(framed, 8, framed.length - 8)).isEqualTo("logged\n");
    HttpResponse<byte[]> none =
        http.send(
            HttpRequest.newBuilder(
                    URI.create(f.server.url() + "/containers/" + id + "/attach?stream=0&stdout=1"))
                .timeout(Duration.ofSeconds(20))
                .POST(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());
    assertThat(none.statusCode()).isEqualTo(200);
    assertThat(none.body()).isEmpty();
    docker.ok("rm", "-f", id);
  }

  @Test
  void attachOverAWebSocket_getsTheRawOutput() throws Exception {
    String id = docker.ok("create", image, "sh", "-c", "printf 'hi there, words'; sleep 1");
    CompletableFuture<String> got = new CompletableFuture<>();
    StringBuilder text = new StringBuilder();
    WebSocket ws =
        HttpClient.newHttpClient()
            .newWebSocketBuilder()
            .buildAsync(
                URI.create(
                    f.server.url().replace("http:", "ws:")
                        + "/containers/"
                        + id
                        + "/attach/ws?stdout=1&stream=1&logs=1"),
                new WebSocket.Listener() {
                  @Override
                  public CompletionStage<?> onBinary(WebSocket w, ByteBuffer data, boolean last) {
                    byte[] b = new byte[data.remaining()];
                    data.get(b);
                    text.append(new String(b, StandardCharsets.UTF_8));
                    if (text.toString().contains("words")) {
                      got.complete(text.toString());
                    }
                    w.request(1);
                    return null;
                  }
                })
            .get(10, TimeUnit.SECONDS);
    docker.ok("start", id);
    assertThat(got.get(20, TimeUnit.SECONDS)).isEqualTo("hi there, words"); // no stream headers
    ws.abort();
    docker.ok("rm", "-f", id);
  }

  @Test
  void attachAndStartAi_reachStdin() throws Exception {
    String id = docker.ok("run", "-d", "-i", image, "sh", "-c", "read x; echo got $x");
    Result attached = docker.runWithInput(30, "hello\n", "attach", id);
    assertThat(attached.exitCode()).as(attached.all()).isZero();
    assertThat(attached.out()).isEqualTo("got hello\n");
    String created = docker.ok("create", "-i", image, "sh", "-c", "read x; echo started $x");
    Result started = docker.runWithInput(30, "again\n", "start", "-ai", created);
    assertThat(started.out()).as(started.all()).isEqualTo("started again\n");
    docker.ok("rm", id, created);
  }

  @Test
  void resize_reachesTheTerminal() throws Exception {
    String id =
        docker.ok(
            "run", "-d", "-t", image, "sh", "-c", "while true; do stty size; sleep 0.1; done");
    HttpClient http = HttpClient.newHttpClient();
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(
                    URI.create(f.server.url() + "/containers/" + id + "/resize?h=40&w=100"))
                .POST(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    String logs = "";
    for (int i = 0; i < 50 && !logs.contains("40 100"); i++) {
      Thread.sleep(100);
      logs = docker.ok("logs", id);
    }
    assertThat(logs).contains("40 100");
    String plain = docker.ok("run", "-d", image, "sleep", "300");
    HttpResponse<String> notTty =
        http.send(
            HttpRequest.newBuilder(
                    URI.create(f.server.url() + "/containers/" + plain + "/resize?h=40&w=100"))
                .POST(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(notTty.statusCode()).isEqualTo(409);
    docker.ok("rm", "-f", id, plain);
  }
}
