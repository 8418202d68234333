package org.sdcdocker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.sdcdocker.it.support.FixtureTest;

/**
 * Requests that race a container's own exit, as docker-py's tests do them: a container that runs
 * {@code ls -a} is started, its logs read and removed with force while it exits. Signalling a
 * process that has just exited once killed the whole server (kill(0, SIGKILL) hit its own process
 * group); here the race is driven many times and the server must answer every request as Docker.
 */
class ExitRaceTest extends FixtureTest {
  private final HttpClient http = HttpClient.newHttpClient();

  private HttpResponse<String> send(String method, String path, String body) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(f.server.url() + path)).timeout(Duration.ofSeconds(60));
    b.method(
        method,
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private String create(String... cmd) throws Exception {
    StringBuilder json = new StringBuilder("{\"Image\":\"" + image + "\",\"Cmd\":[");
    for (int i = 0; i < cmd.length; i++) {
      json.append(i == 0 ? "" : ",").append('"').append(cmd[i]).append('"');
    }
    HttpResponse<String> r = send("POST", "/containers/create", json.append("]}").toString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return r.body().strip().replaceAll("(?s).*\"Id\":\"([0-9a-f]{64})\".*", "$1");
  }

  /** One round of docker-py's sequence; every answer is one Docker gives. */
  private void round(int i) throws Exception {
    String id = create("ls", "-a");
    assertThat(send("POST", "/containers/" + id + "/start", null).statusCode()).isEqualTo(204);
    HttpResponse<String> logs = send("GET", "/containers/" + id + "/logs?stdout=1&stderr=1", null);
    assertThat(logs.statusCode()).isEqualTo(200);
    switch (i % 4) {
      case 1 ->
          assertThat(send("POST", "/containers/" + id + "/stop?t=1", null).statusCode())
              .isIn(204, 304);
      case 2 ->
          assertThat(send("POST", "/containers/" + id + "/kill", null).statusCode()).isIn(204, 409);
      case 3 ->
          assertThat(send("POST", "/containers/" + id + "/pause", null).statusCode())
              .isIn(204, 409);
      default -> {}
    }
    HttpResponse<String> rm = send("DELETE", "/containers/" + id + "?force=1&v=1", null);
    assertThat(rm.statusCode()).as(rm.body()).isEqualTo(204);
  }

  @Test
  void removeWithForce_racingTheContainersExit_neverTakesTheServerDown() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try {
      List<Future<?>> all = new ArrayList<>();
      for (int t = 0; t < 3; t++) {
        int base = t * 100;
        all.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < 16; i++) {
                    round(base + i);
                  }
                  return null;
                }));
      }
      for (Future<?> each : all) {
        each.get(5, TimeUnit.MINUTES);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(send("GET", "/_ping", null).body()).isEqualTo("OK");
    assertThat(docker.ok("ps", "-aq", "--filter", "ancestor=" + image)).isEmpty();
  }

  @Test
  void statsTopAndPause_ofAContainerThatJustExited_answerAsDocker() throws Exception {
    for (int i = 0; i < 10; i++) {
      String id = create("true");
      assertThat(send("POST", "/containers/" + id + "/start", null).statusCode()).isEqualTo(204);
      HttpResponse<String> stats = send("GET", "/containers/" + id + "/stats?stream=false", null);
      assertThat(stats.statusCode()).as(stats.body()).isEqualTo(200);
      assertThat(stats.body()).contains("\"id\":\"" + id + "\"");
      HttpResponse<String> top = send("GET", "/containers/" + id + "/top", null);
      assertThat(top.statusCode()).as(top.body()).isIn(200, 409);
      assertThat(top.body()).doesNotContain("/sys/fs/cgroup");
      HttpResponse<String> pause = send("POST", "/containers/" + id + "/pause", null);
      assertThat(pause.statusCode()).as(pause.body()).isIn(204, 409);
      if (pause.statusCode() == 409) {
        assertThat(pause.body()).contains("is not running");
      }
      send("POST", "/containers/" + id + "/unpause", null);
      assertThat(send("DELETE", "/containers/" + id + "?force=1", null).statusCode())
          .isEqualTo(204);
    }
  }
}
