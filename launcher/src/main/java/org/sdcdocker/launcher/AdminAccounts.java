package org.sdcdocker.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.sdcdocker.launcher.Admin.Answer;
import org.sdcdocker.protocol.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code sdc-dockeradm account|key|cert|tls}: the tenants' side of the admin CLI. Accounts are
 * logins (a client certificate's CN), approved for provisioning or not, disabled or not; keys are
 * OpenSSH public keys a certificate's key must be one of; {@code cert issue} is the original's
 * sdc-docker-setup.sh in one step.
 *
 * <p>Why it is long: one small Picocli command per verb (about fifteen), each a request to the
 * admin socket and a table or JSON of its answer.
 */
final class AdminAccounts {
  private AdminAccounts() {}

  static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  /** Runs a call: prints the refusal and returns 1, or hands the answer on. */
  static int run(Answer a, int ok, ThrowingConsumer<Answer> then) throws IOException {
    if (a.status() != ok) {
      return Admin.refused(a);
    }
    then.accept(a);
    return 0;
  }

  /** Shows an answer: as it came with --json (for scripts), else as {@code print} lays it out. */
  static int show(Answer a, boolean json, ThrowingConsumer<Answer> print) throws IOException {
    return run(
        a,
        200,
        x -> {
          if (json) {
            System.out.println(x.body().strip());
          } else {
            print.accept(x);
          }
        });
  }

  @FunctionalInterface
  interface ThrowingConsumer<T> {
    void accept(T t) throws IOException;
  }

  private static void printAccount(JsonNode a) {
    System.out.print(
        Admin.table(
            List.of(
                List.of("LOGIN", a.get("login").asText()),
                List.of("UUID", a.get("uuid").asText()),
                List.of("EMAIL", a.path("email").asText()),
                List.of("APPROVED", a.get("approved").asText()),
                List.of("DISABLED", a.get("disabled").asText()),
                List.of("KEYS", Integer.toString(a.get("keys").size())),
                List.of("CREATED", a.path("created").asText()))));
  }

  @Command(
      name = "account",
      mixinStandardHelpOptions = true,
      description = "Accounts: a client certificate's CN names one.")
  static final class AccountCmd {
    @ParentCommand Admin admin;

    @Command(name = "add", description = "Add an account (not approved unless --approve).")
    int add(
        @Parameters(paramLabel = "LOGIN") String login,
        @Option(names = "--email") String email,
        @Option(names = "--approve", description = "Approve it for provisioning.") boolean approve)
        throws IOException {
      ObjectNode b = Json.MAPPER.createObjectNode();
      b.put("Login", login).put("Email", email == null ? "" : email).put("Approved", approve);
      return run(
          admin.call("POST", "/accounts", b.toString()),
          201,
          a -> System.out.println("added account " + login + (approve ? " (approved)" : "")));
    }

    @Command(name = "ls", description = "List the accounts.")
    int ls(@Option(names = "--json", description = "As JSON, for scripts.") boolean json)
        throws IOException {
      return show(
          admin.call("GET", "/accounts"),
          json,
          a -> {
            List<List<String>> rows = new ArrayList<>();
            rows.add(List.of("LOGIN", "APPROVED", "DISABLED", "KEYS", "EMAIL", "CREATED"));
            for (JsonNode n : a.json()) {
              rows.add(
                  List.of(
                      n.get("login").asText(),
                      n.get("approved").asText(),
                      n.get("disabled").asText(),
                      Integer.toString(n.get("keys").size()),
                      n.path("email").asText(),
                      n.path("created").asText()));
            }
            System.out.print(Admin.table(rows));
          });
    }

    @Command(name = "get", description = "Show an account.")
    int get(
        @Parameters(paramLabel = "LOGIN") String login,
        @Option(names = "--json", description = "As JSON, for scripts.") boolean json)
        throws IOException {
      return show(admin.call("GET", "/accounts/" + enc(login)), json, a -> printAccount(a.json()));
    }

    private int change(String login, String what, String said) throws IOException {
      return run(
          admin.call("POST", "/accounts/" + enc(login) + "/" + what),
          200,
          a -> System.out.println(said + " " + login));
    }

    @Command(name = "approve", description = "Let an account provision (create, pull, build...).")
    int approve(@Parameters(paramLabel = "LOGIN") String login) throws IOException {
      return change(login, "approve", "approved");
    }

    @Command(name = "unapprove", description = "Stop an account from provisioning.")
    int unapprove(@Parameters(paramLabel = "LOGIN") String login) throws IOException {
      return change(login, "unapprove", "unapproved");
    }

    @Command(name = "disable", description = "Refuse every request of an account (403).")
    int disable(@Parameters(paramLabel = "LOGIN") String login) throws IOException {
      return change(login, "disable", "disabled");
    }

    @Command(name = "enable", description = "Serve a disabled account again.")
    int enable(@Parameters(paramLabel = "LOGIN") String login) throws IOException {
      return change(login, "enable", "enabled");
    }

    @Command(
        name = "rm",
        description =
            "Remove an account; refused while it owns anything, unless --purge removes it all.")
    int rm(
        @Parameters(paramLabel = "LOGIN") String login,
        @Option(
                names = "--purge",
                description = "First remove its containers, networks, volumes and images.")
            boolean purge)
        throws IOException {
      return run(
          admin.call("DELETE", "/accounts/" + enc(login) + (purge ? "?purge=1" : "")),
          200,
          a -> System.out.println("removed account " + login));
    }
  }

  @Command(
      name = "key",
      mixinStandardHelpOptions = true,
      description = "An account's OpenSSH public keys: its certificates' keys must be one of them.")
  static final class KeyCmd {
    @ParentCommand Admin admin;

    @Command(name = "add", description = "Register a public key (a .pub file, or - for stdin).")
    int add(
        @Parameters(index = "0", paramLabel = "LOGIN") String login,
        @Parameters(index = "1", paramLabel = "FILE") String file,
        @Option(names = "--name", description = "Its name (default: its comment).") String name)
        throws IOException {
      String line =
          file.equals("-")
              ? new String(System.in.readAllBytes(), StandardCharsets.UTF_8)
              : Files.readString(Path.of(file));
      return run(
          admin.call(
              "POST",
              "/accounts/" + enc(login) + "/keys" + (name == null ? "" : "?name=" + enc(name)),
              line),
          201,
          a ->
              System.out.println(
                  "added key "
                      + a.json().get("name").asText()
                      + " "
                      + a.json().get("sha256").asText()
                      + " to "
                      + login));
    }

    @Command(name = "ls", description = "List an account's keys.")
    int ls(
        @Parameters(paramLabel = "LOGIN") String login,
        @Option(names = "--json", description = "As JSON, for scripts.") boolean json)
        throws IOException {
      return show(
          admin.call("GET", "/accounts/" + enc(login) + "/keys"),
          json,
          a -> {
            List<List<String>> rows = new ArrayList<>();
            rows.add(List.of("NAME", "TYPE", "SHA256", "MD5", "CREATED"));
            for (JsonNode k : a.json()) {
              rows.add(
                  List.of(
                      k.get("name").asText(),
                      k.get("type").asText(),
                      k.get("sha256").asText(),
                      k.get("md5").asText(),
                      k.path("created").asText()));
            }
            System.out.print(Admin.table(rows));
          });
    }

    @Command(name = "rm", description = "Remove a key (by name or fingerprint).")
    int rm(
        @Parameters(index = "0", paramLabel = "LOGIN") String login,
        @Parameters(index = "1", paramLabel = "KEY") String which)
        throws IOException {
      return run(
          admin.call("DELETE", "/accounts/" + enc(login) + "/keys/" + enc(which)),
          200,
          a -> System.out.println("removed key " + a.json().get("name").asText() + " of " + login));
    }
  }

  @Command(
      name = "cert",
      mixinStandardHelpOptions = true,
      description = "Client certificates signed by the server's CA.")
  static final class CertCmd {
    @ParentCommand Admin admin;

    @Command(
        name = "issue",
        description =
            "Make a key and a certificate for an account (the key is registered on it as"
                + " cert-SERIAL; key rm revokes it) and write ca.pem, cert.pem, key.pem and env.sh"
                + " for the docker CLI.")
    int issue(
        @Parameters(paramLabel = "LOGIN") String login,
        @Option(names = "--out", description = "Where to write them (default: ./LOGIN).") Path out,
        @Option(names = "--days", description = "Valid for (default: ${DEFAULT-VALUE}).") int days,
        @Option(
                names = "--host",
                description = "The DOCKER_HOST env.sh sets (default: ${DEFAULT-VALUE}).")
            String host)
        throws IOException {
      Path dir = out != null ? out : Path.of(login);
      int d = days == 0 ? 365 : days;
      String h = host != null ? host : "tcp://127.0.0.1:2376";
      return run(
          admin.call("POST", "/accounts/" + enc(login) + "/certificates?days=" + d),
          201,
          a -> {
            JsonNode j = a.json();
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("ca.pem"), j.get("CaPem").asText());
            Files.writeString(dir.resolve("cert.pem"), j.get("CertPem").asText());
            Path key = dir.resolve("key.pem");
            Files.deleteIfExists(key);
            Files.createFile(
                key,
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(key, j.get("KeyPem").asText());
            Files.writeString(
                dir.resolve("env.sh"),
                "export DOCKER_HOST="
                    + h
                    + "\nexport DOCKER_TLS_VERIFY=1\nexport DOCKER_CERT_PATH="
                    + dir.toAbsolutePath()
                    + "\n");
            System.out.println(
                "wrote "
                    + dir
                    + "/{ca,cert,key}.pem and env.sh for "
                    + login
                    + " (key "
                    + j.get("Key").asText()
                    + ", valid until "
                    + j.get("NotAfter").asText()
                    + "): source "
                    + dir.resolve("env.sh"));
          });
    }
  }

  @Command(
      name = "status",
      mixinStandardHelpOptions = true,
      description =
          "The front end: its version, listeners, certificates and how long they are valid, the"
              + " cluster's members, compute nodes and accounts.")
  static final class StatusCmd implements Callable<Integer> {
    @ParentCommand Admin admin;

    @Option(names = "--json", description = "As JSON, for scripts.")
    boolean json;

    @Override
    public Integer call() throws IOException {
      return show(
          admin.call("GET", "/status"),
          json,
          a -> {
            JsonNode s = a.json();
            List<List<String>> rows = new ArrayList<>();
            rows.add(
                List.of(
                    "VERSION",
                    s.path("Version").asText() + " (Java " + s.path("Java").asText() + ")"));
            List<String> listeners = new ArrayList<>();
            s.path("Listeners").forEach(l -> listeners.add(l.asText()));
            rows.add(List.of("LISTENERS", String.join(", ", listeners)));
            rows.add(List.of("DATA ROOT", s.path("DataRoot").asText()));
            JsonNode tls = s.path("ApiTls");
            if (tls.isObject()) {
              rows.add(List.of("API CERTIFICATE", validity(tls.path("ServerCertificate"))));
              if (tls.path("ClientCa").isObject()) {
                rows.add(List.of("CLIENTS' CA", validity(tls.path("ClientCa"))));
              }
            } else {
              rows.add(List.of("API CERTIFICATE", "none (clear, loopback only)"));
            }
            if (s.path("ClusterMembers").isArray()) {
              JsonNode ms = s.path("ClusterMembers");
              rows.add(List.of("CLUSTER MEMBERS", Integer.toString(ms.size())));
              for (JsonNode m : ms) {
                String node = m.path("Node").isTextual() ? " " + m.path("Node").asText() : "";
                rows.add(
                    List.of(
                        "",
                        m.path("Address").asText("?")
                            + " "
                            + m.path("Role").asText("?")
                            + node
                            + (m.path("This").asBoolean() ? " (this front end)" : "")));
              }
            } else {
              rows.add(List.of("CLUSTER MEMBERS", "none (embedded)"));
            }
            if (s.path("ClusterCertificate").isObject()) {
              rows.add(List.of("CLUSTER CERTIFICATE", validity(s.path("ClusterCertificate"))));
            }
            rows.add(
                List.of(
                    "COMPUTE NODES",
                    s.path("LiveComputeNodes").asText()
                        + " live of "
                        + s.path("ComputeNodes").asText()));
            rows.add(List.of("ACCOUNTS", s.path("Accounts").asText()));
            System.out.print(Admin.table(rows));
          });
    }

    private static String validity(JsonNode c) {
      return c.path("Subject").asText()
          + ", valid until "
          + c.path("NotAfter").asText()
          + " ("
          + c.path("DaysLeft").asLong()
          + " days left)";
    }
  }

  @Command(name = "tls", mixinStandardHelpOptions = true, description = "The API's TLS material.")
  static final class TlsCmd implements Callable<Integer> {
    @ParentCommand Admin admin;

    @Command(
        name = "reload",
        description =
            "Read the server's certificate, key and CA files again: new connections use them.")
    int reload() throws IOException {
      return run(
          admin.call("POST", "/tls/reload"),
          200,
          a -> System.out.println("reloaded the API's TLS material"));
    }

    @Override
    public Integer call() {
      System.err.println("sdc-dockeradm tls: say reload");
      return 2;
    }
  }
}
