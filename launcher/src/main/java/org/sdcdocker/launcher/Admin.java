package org.sdcdocker.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.sdcdocker.protocol.Json;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code sdc-dockeradm}: the operators' command, talking to a front end's admin socket (root only).
 * Tables for people, {@code --json} for scripts; a refusal prints the front end's message and exits
 * 1.
 */
@Command(
    name = "sdc-dockeradm",
    mixinStandardHelpOptions = true,
    description = "Operate an sdc-docker fleet through a front end's admin socket.",
    subcommands = {
      Admin.Node.class,
      AdminAccounts.AccountCmd.class,
      AdminAccounts.KeyCmd.class,
      AdminAccounts.CertCmd.class,
      AdminAccounts.TlsCmd.class,
      AdminAccounts.StatusCmd.class,
      AdminPackages.class,
      Admin.ContainerCmd.class
    })
public final class Admin {
  @Option(
      names = "--socket",
      description = "The front end's admin socket (default: ${DEFAULT-VALUE}).")
  Path socket = Path.of("/var/lib/sdc-docker/frontend/admin.sock");

  public static void main(String[] args) {
    System.exit(new CommandLine(new Admin()).execute(args));
  }

  /** An answer of the admin API. */
  public record Answer(int status, String body) {
    JsonNode json() throws IOException {
      return Json.MAPPER.readTree(body);
    }

    /** The front end's message when it refused. */
    String message() {
      try {
        JsonNode m = json().get("message");
        return m != null ? m.asText() : body;
      } catch (IOException e) {
        return body;
      }
    }
  }

  /** One request over the unix socket (HTTP/1.1, the connection closed after the answer). */
  Answer call(String method, String path) throws IOException {
    return call(method, path, "");
  }

  /** One request with a body. */
  Answer call(String method, String path, String body) throws IOException {
    return call(socket, method, path, body);
  }

  /** One request with a body to the admin socket at {@code socket}. */
  public static Answer call(Path socket, String method, String path, String body)
      throws IOException {
    try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      ch.connect(UnixDomainSocketAddress.of(socket));
      byte[] b = body.getBytes(StandardCharsets.UTF_8);
      String req =
          method
              + " "
              + path
              + " HTTP/1.1\r\nHost: sdc-docker-admin\r\nConnection: close\r\n"
              + "Content-Length: "
              + b.length
              + "\r\n\r\n";
      ch.write(ByteBuffer.wrap(req.getBytes(StandardCharsets.US_ASCII)));
      ch.write(ByteBuffer.wrap(b));
      ByteArrayOutputStream raw = new ByteArrayOutputStream();
      ByteBuffer buf = ByteBuffer.allocate(16384);
      while (ch.read(buf) >= 0) {
        raw.write(buf.array(), 0, buf.position());
        buf.clear();
      }
      String all = raw.toString(StandardCharsets.UTF_8);
      int headEnd = all.indexOf("\r\n\r\n");
      if (!all.startsWith("HTTP/1.") || headEnd < 0) {
        throw new IOException("not an answer of the admin API at " + socket);
      }
      int status = Integer.parseInt(all.substring(9, 12));
      return new Answer(status, all.substring(headEnd + 4));
    }
  }

  /** {@code node ls | forget UUID}. */
  @Command(
      name = "node",
      mixinStandardHelpOptions = true,
      description = "The compute nodes of the fleet.")
  static final class Node {
    @ParentCommand Admin admin;

    @Command(name = "ls", description = "List the compute nodes a front end knows.")
    int ls(@Option(names = "--json", description = "As JSON, for scripts.") boolean json)
        throws IOException {
      Answer a = admin.call("GET", "/nodes");
      if (a.status() != 200) {
        return refused(a);
      }
      if (json) {
        System.out.println(a.body().strip());
        return 0;
      }
      List<List<String>> rows = new ArrayList<>();
      rows.add(
          List.of(
              "UUID",
              "HOSTNAME",
              "STATE",
              "RESERVED",
              "CONTAINERS",
              "RUNNING",
              "MEMORY",
              "RESERVED",
              "LAST HEARTBEAT"));
      for (JsonNode n : a.json()) {
        rows.add(
            List.of(
                n.get("UUID").asText(),
                n.get("Hostname").asText(),
                n.get("State").asText(),
                n.path("Reserved").asBoolean() ? "yes" : "no",
                n.get("Containers").asText(),
                n.get("Running").asText(),
                mib(n.get("MemoryBytes").asLong()),
                mib(n.get("ReservedMemoryBytes").asLong()),
                n.get("LastHeartbeatSecondsAgo").asLong() + " s ago"));
      }
      System.out.print(table(rows));
      return 0;
    }

    @Command(name = "get", description = "Show one compute node (its UUID or hostname).")
    int get(
        @Parameters(paramLabel = "NODE") String which,
        @Option(names = "--json", description = "As JSON, for scripts.") boolean json)
        throws IOException {
      Answer a = admin.call("GET", "/nodes");
      if (a.status() != 200) {
        return refused(a);
      }
      for (JsonNode n : a.json()) {
        if (n.get("UUID").asText().equals(which) || n.get("Hostname").asText().equals(which)) {
          if (json) {
            System.out.println(n.toString());
            return 0;
          }
          System.out.print(
              table(
                  fieldRows(
                      n,
                      f ->
                          f.getKey().endsWith("Bytes")
                              ? mib(f.getValue().asLong())
                              : f.getValue().asText())));
          return 0;
        }
      }
      System.err.println("sdc-dockeradm: no such compute node: " + which);
      return 1;
    }

    @Command(
        name = "reserve",
        description = "No new containers on a node (those it has run on): before maintenance.")
    int reserve(@Parameters(paramLabel = "UUID") String uuid) throws IOException {
      return change(uuid, "reserve", "reserved");
    }

    @Command(
        name = "drain",
        description =
            "Reserve a node, then wait until none of its containers runs (their owners stop or"
                + " move them); it stays reserved. Exits 1 when the time is up first.")
    int drain(
        @Parameters(paramLabel = "UUID") String uuid,
        @Option(
                names = "--timeout",
                defaultValue = "600",
                description = "Seconds to wait at most (default: ${DEFAULT-VALUE}).")
            int timeout)
        throws IOException, InterruptedException {
      Answer a = admin.call("POST", "/nodes/" + uuid + "/reserve");
      if (a.status() != 200) {
        return refused(a);
      }
      long deadline = System.nanoTime() + timeout * 1_000_000_000L;
      int running = -1;
      while (true) {
        Answer ls = admin.call("GET", "/nodes");
        if (ls.status() != 200) {
          return refused(ls);
        }
        for (JsonNode n : ls.json()) {
          if (n.get("UUID").asText().equals(uuid)) {
            running = n.get("Running").asInt();
          }
        }
        if (running == 0) {
          System.out.println("drained compute node " + uuid + ": none of its containers runs");
          return 0;
        }
        if (System.nanoTime() > deadline) {
          System.err.println(
              "sdc-dockeradm: compute node "
                  + uuid
                  + " still runs "
                  + running
                  + " container(s) after "
                  + timeout
                  + " s; it stays reserved");
          return 1;
        }
        Thread.sleep(1000);
      }
    }

    @Command(name = "unreserve", description = "Let new containers go to a node again.")
    int unreserve(@Parameters(paramLabel = "UUID") String uuid) throws IOException {
      return change(uuid, "unreserve", "unreserved");
    }

    private int change(String uuid, String what, String said) throws IOException {
      Answer a = admin.call("POST", "/nodes/" + uuid + "/" + what);
      if (a.status() != 200) {
        return refused(a);
      }
      System.out.println(said + " compute node " + uuid);
      return 0;
    }

    @Command(
        name = "forget",
        description =
            "Forget a compute node that will not return: its containers are reported gone. "
                + "Refused while the node is live.")
    int forget(@Parameters(paramLabel = "UUID") String uuid) throws IOException {
      Answer a = admin.call("DELETE", "/nodes/" + uuid);
      if (a.status() != 200) {
        return refused(a);
      }
      System.out.println(
          "forgot compute node "
              + uuid
              + " and its "
              + a.json().get("Containers").asInt()
              + " containers");
      return 0;
    }
  }

  /** {@code container where REF}. */
  @Command(
      name = "container",
      mixinStandardHelpOptions = true,
      description = "Any account's containers, for operators.")
  static final class ContainerCmd {
    @ParentCommand Admin admin;

    @Command(
        name = "where",
        description =
            "Which node runs a container (its id, a unique prefix, or a name), its zone directory,"
                + " the host path of its sdc-dockerinit.log, and its conmon's and init's pids.")
    int where(
        @Parameters(paramLabel = "CONTAINER") String ref,
        @Option(names = "--json", description = "As JSON, for scripts.") boolean json)
        throws IOException {
      return AdminAccounts.show(
          admin.call("GET", "/containers/" + AdminAccounts.enc(ref) + "/where"),
          json,
          a -> System.out.print(table(fieldRows(a.json(), f -> f.getValue().asText()))));
    }
  }

  static int refused(Answer a) {
    System.err.println("sdc-dockeradm: " + a.message());
    return 1;
  }

  private static String mib(long bytes) {
    return (bytes >> 20) + " MiB";
  }

  /** An object's fields as rows of a table: "ConmonPid" as "CONMON PID", then its value. */
  static List<List<String>> fieldRows(
      JsonNode n, Function<Map.Entry<String, JsonNode>, String> value) {
    List<List<String>> rows = new ArrayList<>();
    n.fields()
        .forEachRemaining(
            f ->
                rows.add(
                    List.of(
                        f.getKey().replaceAll("([a-z])([A-Z])", "$1 $2").toUpperCase(Locale.ROOT),
                        value.apply(f))));
    return rows;
  }

  /** Columns aligned, two spaces apart. */
  static String table(List<List<String>> rows) {
    int[] width = new int[rows.get(0).size()];
    for (List<String> r : rows) {
      for (int i = 0; i < r.size(); i++) {
        width[i] = Math.max(width[i], r.get(i).length());
      }
    }
    StringBuilder out = new StringBuilder();
    for (List<String> r : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < r.size(); i++) {
        line.append(r.get(i));
        if (i < r.size() - 1) {
          line.append(" ".repeat(width[i] - r.get(i).length() + 2));
        }
      }
      out.append(line.toString().stripTrailing()).append('\n');
    }
    return out.toString();
  }
}
