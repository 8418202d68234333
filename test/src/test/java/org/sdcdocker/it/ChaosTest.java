package org.sdcdocker.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sdcdocker.it.support.LocalRegistry;
import org.sdcdocker.it.support.SdcServer;
import org.sdcdocker.it.support.ServerProcess;
import org.sdcdocker.it.support.TestImages;

/**
 * Several clients run random verbs on a shared set of containers while the server is killed with
 * SIGKILL at random moments and started again. Every answer must be a 2xx/3xx, or a 4xx with a
 * message; a 5xx or a broken connection only while the server was down (or, for 503, just after it
 * came back). Then the containers the API lists must be exactly those runc and conmon know, a
 * container that ran throughout must have every log line, and once everything is removed nothing
 * may be left. The suite runs a short form; {@code test/chaos.sh SECONDS} a long one.
 */
class ChaosTest {
  private static final int SECONDS = Integer.getInteger("sdc.chaos.seconds", 40);
  private static final int CLIENTS = 4;
  private static final int CONTAINERS = 6;
  private static final long GRACE_NANOS = TimeUnit.SECONDS.toNanos(10);
  private static final String[] VERBS = {
    "run",
    "start",
    "stop",
    "kill",
    "rm",
    "restart",
    "pause",
    "unpause",
    "exec",
    "logs",
    "inspect",
    "top",
    "stats",
    "cp",
    "commit",
    "connect",
    "disconnect",
    "volume",
    "attach"
  };

  @TempDir Path dir;

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** Intervals [down, up] (System.nanoTime) in which the server was being killed and restarted. */
  private final List<long[]> outages = new CopyOnWriteArrayList<>();

  private final List<String> failures = new CopyOnWriteArrayList<>();
  private final Map<String, AtomicLong> counts = new ConcurrentHashMap<>();
  private ServerProcess server;
  private String image;

  record Answer(int status, String body) {}

  private Answer call(String method, String path, String json)
      throws IOException, InterruptedException {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(server.url() + path))
            .timeout(Duration.ofSeconds(60))
            .method(
                method,
                json == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(json));
    if (json != null) {
      b.header("Content-Type", "application/json");
    }
    var pending = http.sendAsync(b.build(), HttpResponse.BodyHandlers.ofString());
    try {
      HttpResponse<String> r = pending.get(60, TimeUnit.SECONDS); // the whole answer, body too
      return new Answer(r.statusCode(), r.body());
    } catch (TimeoutException e) {
      pending.cancel(true);
      throw new IOException("no whole answer within 60 s");
    } catch (ExecutionException e) {
      throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
    }
  }

  /** A request of the chaos: judged as the issue asks, never thrown. */
  private Answer judged(String verb, String method, String path, String json)
      throws InterruptedException, IOException {
    long start = System.nanoTime();
    try {
      Answer a = call(method, path, json);
      boolean ok = a.status < 400 || (a.status < 500 && a.body.contains("\"message\""));
      if (!ok && !(explained(start, System.nanoTime(), a.status))) {
        failures.add(verb + " " + method + " " + path + " -> " + a.status + " " + a.body.strip());
      }
      return a;
    } catch (IOException e) {
      if (!explained(start, System.nanoTime(), 0)) {
        failures.add(verb + " " + method + " " + path + " -> " + e);
        if (e instanceof HttpTimeoutException
            || e.getMessage() != null && e.getMessage().startsWith("no whole answer")) {
          server.dumpThreads();
        }
      }
      return new Answer(0, "");
    }
  }

  /** A 5xx or a cut connection during an outage; a 503 also in the grace after it. */
  private boolean explained(long from, long to, int status) {
    for (long[] o : outages) {
      long end = o[1] == 0 ? Long.MAX_VALUE : o[1];
      long graceEnd = status == 503 ? end + GRACE_NANOS : end;
      if (from <= graceEnd && to >= o[0]) {
        return true;
      }
    }
    return false;
  }

  private String createBody() {
    return "{\"Image\":\""
        + image
        + "\",\"Cmd\":[\"sh\",\"-c\",\"trap 'exit 0' TERM; "
        + "while true; do echo tick; sleep 0.3; done\"]}";
  }

  private void verb(Random rnd) throws InterruptedException, IOException {
    String verb = VERBS[rnd.nextInt(VERBS.length)];
    String c = "chaos-" + rnd.nextInt(CONTAINERS);
    counts.computeIfAbsent(verb, k -> new AtomicLong()).incrementAndGet();
    switch (verb) {
      case "run" -> {
        judged(verb, "POST", "/containers/create?name=" + c, createBody());
        judged(verb, "POST", "/containers/" + c + "/start", null);
      }
      case "start" -> judged(verb, "POST", "/containers/" + c + "/start", null);
      case "stop" -> judged(verb, "POST", "/containers/" + c + "/stop?t=1", null);
      case "kill" -> judged(verb, "POST", "/containers/" + c + "/kill", null);
      case "rm" -> {
        judged(verb, "DELETE", "/containers/" + c + "?force=1&v=1", null);
        judged(verb, "POST", "/containers/create?name=" + c, createBody());
        judged(verb, "POST", "/containers/" + c + "/start", null);
      }
      case "restart" -> judged(verb, "POST", "/containers/" + c + "/restart?t=1", null);
      case "pause" -> judged(verb, "POST", "/containers/" + c + "/pause", null);
      case "unpause" -> judged(verb, "POST", "/containers/" + c + "/unpause", null);
      case "exec" -> {
        Answer a =
            judged(
                verb,
                "POST",
                "/containers/" + c + "/exec",
                "{\"Cmd\":[\"echo\",\"hi\"],\"AttachStdout\":true,\"AttachStderr\":true}");
        Matcher m = Pattern.compile("\"Id\":\"([0-9a-f]+)\"").matcher(a.body);
        if (a.status == 201 && m.find()) {
          judged(
              verb, "POST", "/exec/" + m.group(1) + "/start", "{\"Detach\":false,\"Tty\":false}");
        }
      }
      case "logs" ->
          judged(verb, "GET", "/containers/" + c + "/logs?stdout=1&stderr=1&tail=5", null);
      case "inspect" -> judged(verb, "GET", "/containers/" + c + "/json", null);
      case "top" -> judged(verb, "GET", "/containers/" + c + "/top", null);
      case "stats" -> judged(verb, "GET", "/containers/" + c + "/stats?stream=false", null);
      case "cp" -> judged(verb, "GET", "/containers/" + c + "/archive?path=/etc/hostname", null);
      case "commit" -> {
        Answer a =
            judged(verb, "POST", "/commit?container=" + c + "&repo=chaos/commit&tag=" + c, "{}");
        if (a.status == 201) {
          judged(verb, "DELETE", "/images/chaos/commit:" + c + "?force=1", null);
        }
      }
      case "connect" ->
          judged(verb, "POST", "/networks/chaosnet/connect", "{\"Container\":\"" + c + "\"}");
      case "disconnect" ->
          judged(
              verb,
              "POST",
              "/networks/chaosnet/disconnect",
              "{\"Container\":\"" + c + "\",\"Force\":true}");
      case "volume" -> {
        judged(verb, "POST", "/volumes/create", "{\"Name\":\"chaosvol-" + c + "\"}");
        judged(verb, "DELETE", "/volumes/chaosvol-" + c, null);
      }
      case "attach" ->
          judged(
              verb, "POST", "/containers/" + c + "/attach?logs=1&stream=0&stdout=1&stderr=1", null);
      default -> throw new IllegalStateException(verb);
    }
  }

  @Test
  void randomVerbs_underSigkills_loseNothingAndLeaveNothing() throws Exception {
    long seed = Long.getLong("sdc.chaos.seed", System.nanoTime());
    Random killerRnd = new Random(seed);
    Path root = dir.resolve("data");
    int kills = 0;
    try (LocalRegistry registry = LocalRegistry.start(null, null)) {
      TestImages.push(registry, "x/busybox", "latest", TestImages.busyboxLayer(), null, null);
      image = registry.host() + "/x/busybox";
      server = new ServerProcess(root, LocalRegistry.freePort());
      server.start();
      try {
        assertThat(call("POST", "/images/create?fromImage=" + image + "&tag=latest", null).status())
            .isEqualTo(200);
        assertThat(call("POST", "/networks/create", "{\"Name\":\"chaosnet\"}").status())
            .isEqualTo(201);
        // the witness: a container no client touches, whose every line must survive the kills
        Answer w =
            call(
                "POST",
                "/containers/create?name=witness",
                "{\"Image\":\""
                    + image
                    + "\",\"Tty\":true,"
                    + "\"Cmd\":[\"sh\",\"-c\",\"i=0; while [ $i -lt 1000000 ]; do echo line $i; i=$((i+1)); sleep 0.02; done\"]}");
        assertThat(w.status()).as(w.body()).isEqualTo(201);
        assertThat(call("POST", "/containers/witness/start", null).status()).isEqualTo(204);

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(SECONDS);
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        List<Future<?>> clients = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
          Random rnd = new Random(seed + i + 1);
          clients.add(
              pool.submit(
                  () -> {
                    while (System.nanoTime() < deadline) {
                      verb(rnd);
                    }
                    return null;
                  }));
        }
        while (System.nanoTime() < deadline - TimeUnit.SECONDS.toNanos(8)) {
          Thread.sleep(4000 + killerRnd.nextInt(8000));
          if (System.nanoTime() >= deadline - TimeUnit.SECONDS.toNanos(4)) {
            break;
          }
          long[] outage = {System.nanoTime(), 0};
          outages.add(outage);
          server.kill();
          kills++;
          Thread.sleep(killerRnd.nextInt(1500));
          server.start();
          outage[1] = System.nanoTime();
        }
        for (Future<?> f : clients) {
          f.get(2, TimeUnit.MINUTES);
        }
        pool.shutdown();
        long total = counts.values().stream().mapToLong(AtomicLong::get).sum();
        System.err.println(
            "chaos: seed "
                + seed
                + ", "
                + SECONDS
                + " s, "
                + total
                + " verbs "
                + new TreeMap<>(counts)
                + ", "
                + kills
                + " kills, "
                + failures.size()
                + " unexplained answers");
        assertListsAgree(root);
        assertWitnessLostNoLine();
        removeEverything();
        assertThat(failures)
            .as("unexplained answers (seed " + seed + "; server log " + server.log() + ")")
            .isEmpty();
      } finally {
        try {
          if (!server.alive()) {
            server.start();
          }
          removeEverything(); // after a failure too: a failed run must not leave containers behind
        } catch (Exception | AssertionError e) {
          server.kill();
          server.scrub(); // the server cannot remove them: what it made goes by hand
          server.start();
          throw e;
        } finally {
          server.close();
        }
      }
      assertThat(SdcServer.leftovers(root)).as("left behind").isEmpty();
    }
  }

  /** The running containers the API lists are those runc has and conmon watches, and no others. */
  private void assertListsAgree(Path root) throws Exception {
    Set<String> api = Set.of();
    Set<String> runc = Set.of();
    Set<String> conmon = Set.of();
    for (int i = 0; i < 100; i++) { // the last restart's recovery may still be settling
      api = new TreeSet<>();
      for (var c :
          new ObjectMapper().readTree(call("GET", "/containers/json?all=1", null).body())) {
        if (Set.of("running", "paused").contains(c.path("State").asText())) {
          api.add(c.path("Id").asText());
        }
      }
      runc =
          new TreeSet<>(
              lines("runc", "--root", root.resolve("agent/runc").toString(), "list", "-q"));
      conmon = new TreeSet<>();
      for (String l : lines("pgrep", "-af", "conmon")) {
        Matcher c = Pattern.compile(" -c ([0-9a-f]{64})").matcher(l);
        if (l.contains(root.toString()) && c.find()) {
          conmon.add(c.group(1));
        }
      }
      if (api.equals(runc) && api.equals(conmon)) {
        return;
      }
      Thread.sleep(100);
    }
    assertThat(runc).as("runc's containers").isEqualTo(api);
    assertThat(conmon).as("conmon's containers").isEqualTo(api);
  }

  private void assertWitnessLostNoLine() throws Exception {
    String logs = call("GET", "/containers/witness/logs?stdout=1", null).body();
    List<Integer> numbers = new ArrayList<>();
    Matcher m = Pattern.compile("line (\\d+)").matcher(logs);
    while (m.find()) {
      numbers.add(Integer.parseInt(m.group(1)));
    }
    assertThat(numbers).as("the witness's lines").isNotEmpty();
    for (int i = 0; i < numbers.size(); i++) {
      assertThat(numbers.get(i)).as("line %d of the witness's log", i).isEqualTo(i);
    }
    assertThat(call("GET", "/containers/witness/json", null).body()).contains("\"Running\":true");
  }

  private void removeEverything() throws Exception {
    Matcher m =
        Pattern.compile("\"Id\":\"([0-9a-f]{64})\"")
            .matcher(call("GET", "/containers/json?all=1", null).body());
    while (m.find()) {
      assertThat(call("DELETE", "/containers/" + m.group(1) + "?force=1&v=1", null).status())
          .isEqualTo(204);
    }
    assertThat(call("DELETE", "/networks/chaosnet", null).status()).isIn(204, 404);
    for (int i = 0; i < CONTAINERS; i++) {
      call("DELETE", "/volumes/chaosvol-chaos-" + i, null);
    }
    assertThat(call("GET", "/volumes", null).body()).doesNotContain("chaosvol");
  }

  private static List<String> lines(String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out;
    try (InputStream in = p.getInputStream()) {
      out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    p.waitFor(30, TimeUnit.SECONDS);
    return out.lines().filter(l -> !l.isBlank()).toList();
  }
}
