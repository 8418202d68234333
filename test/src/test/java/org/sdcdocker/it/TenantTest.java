package org.sdcdocker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.sdcdocker.frontend.account.Certificates;
import org.sdcdocker.it.support.AdminCli;
import org.sdcdocker.it.support.DockerCli;
import org.sdcdocker.it.support.DockerCli.Result;
import org.sdcdocker.it.support.LocalRegistry;
import org.sdcdocker.it.support.SdcServer;
import org.sdcdocker.it.support.ServerProcess;
import org.sdcdocker.it.support.TlsServer;
import org.sdcdocker.protocol.Json;

/**
 * Tenants over TLS, with the real docker CLI as a tenant runs it ({@code DOCKER_TLS_VERIFY}, {@code
 * DOCKER_CERT_PATH}): accounts made with sdc-dockeradm, certificates it issues and one a user made
 * with openssl from an SSH key, the refusals each wrong certificate gets, provisioning rights, one
 * account's objects out of another's sight and reach, and the hijacked streams over TLS.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TenantTest {
  private TlsServer tls;
  private Path dir;
  private ServerProcess server;
  private String image;
  private DockerCli alice;
  private DockerCli bob;
  private DockerCli carol;
  private DockerCli dave;

  @BeforeAll
  void start() throws Exception {
    tls = TlsServer.start("sdc-tenants");
    dir = tls.dir;
    server = tls.server;
    image = tls.image;

    admin("account", "add", "alice", "--approve");
    admin("account", "add", "bob", "--approve");
    admin("account", "add", "carol");
    admin("account", "add", "dave", "--approve");
    alice = tenant(issue("alice"));
    carol = tenant(issue("carol"));
    dave = tenant(issue("dave"));
    admin("account", "disable", "dave");

    // bob's certificate is his own: self-signed with his SSH key, whose .pub he registered
    Path key = dir.resolve("bob-ssh/id_rsa");
    Files.createDirectories(key.getParent());
    sh(
        "ssh-keygen",
        "-q",
        "-t",
        "rsa",
        "-b",
        "2048",
        "-m",
        "PEM",
        "-N",
        "",
        "-C",
        "bob@laptop",
        "-f",
        key.toString());
    admin("key", "add", "bob", key + ".pub");
    Path b = selfSigned("bob", key, "bob");
    bob = tenant(b);
  }

  @AfterAll
  void stop() throws Exception {
    try {
      for (DockerCli d : List.of(alice, bob)) {
        String ids = d.ok("ps", "-aq");
        if (!ids.isEmpty()) {
          List<String> rm = new ArrayList<>(List.of("rm", "-f"));
          rm.addAll(List.of(ids.split("\\s+")));
          d.ok(rm.toArray(String[]::new));
        }
        d.run("network", "rm", "anet");
        d.run("volume", "rm", "avol");
      }
    } finally {
      tls.close();
    }
  }

  private DockerCli tenant(Path certs) throws IOException {
    return tls.tenant(certs);
  }

  /** sdc-dockeradm against the server's admin socket; fails the test when it fails. */
  private String admin(String... args) throws Exception {
    return tls.admin(args);
  }

  private Result adminRun(String... args) throws Exception {
    return tls.adminRun(args);
  }

  private Path issue(String login) throws Exception {
    return tls.issue(login);
  }

  private static void sh(String... cmd) throws Exception {
    Result r = exec(List.of(cmd));
    assertThat(r.exitCode()).as(r.all()).isZero();
  }

  private static Result exec(List<String> cmd) throws Exception {
    return AdminCli.run(cmd);
  }

  /**
   * A certificate directory as a user makes it from an SSH key: the key, a certificate for CN
   * {@code cn} self-signed with it ({@code openssl req -x509}), and the server's CA.
   */
  private Path selfSigned(String name, Path sshKey, String cn) throws Exception {
    Path d = dir.resolve(name);
    Files.createDirectories(d);
    sh(
        "openssl",
        "req",
        "-x509",
        "-new",
        "-key",
        sshKey.toString(),
        "-subj",
        "/CN=" + cn,
        "-days",
        "30",
        "-out",
        d.resolve("cert.pem").toString());
    Files.copy(sshKey, d.resolve("key.pem"));
    Files.copy(dir.resolve("alice/ca.pem"), d.resolve("ca.pem"));
    return d;
  }

  /** A certificate directory with the CA and the given pair. */
  private Path certs(String name, X509Certificate cert, KeyPair key) throws IOException {
    Path d = dir.resolve(name);
    Files.createDirectories(d);
    Files.copy(dir.resolve("alice/ca.pem"), d.resolve("ca.pem"));
    if (cert != null) {
      Files.writeString(d.resolve("cert.pem"), Certificates.pem(cert));
      Files.writeString(d.resolve("key.pem"), Certificates.pem(key.getPrivate()));
    }
    return d;
  }

  @Test
  void certificates_thatAreNotAnAccountsKey_areRefusedWithTheirReason() throws Exception {
    assertThat(alice.ok("version", "--format", "{{.Server.Version}}")).isNotEmpty();
    assertThat(bob.ok("ps")).startsWith("CONTAINER ID");

    // none at all: the CA only
    assertThat(tenant(certs("none", null, null)).run("ps").err())
        .contains("Error response from daemon: Unauthorized");

    // bob's own key, under alice's name
    Path m = selfSigned("mallory", dir.resolve("bob-ssh/id_rsa"), "alice");
    assertThat(tenant(m).run("ps").err()).contains("Unauthorized");

    // a key no account has, signed by the CA, for a login that does not exist and one that does
    X509Certificate ca =
        Certificates.readCertificate(server.dataRoot().resolve("frontend/tls/ca.pem"));
    var caKey = Certificates.readKey(server.dataRoot().resolve("frontend/tls/ca-key.pem"));
    KeyPair k = Certificates.newKey();
    for (String cn : List.of("zed", "alice")) {
      X509Certificate c =
          Certificates.issue(ca, caKey, cn, k.getPublic(), Duration.ofDays(1), false, List.of());
      assertThat(tenant(certs("stranger-" + cn, c, k)).run("ps").err()).contains("Unauthorized");
    }

    // alice's registered key, but the certificate has expired
    Path expired = dir.resolve("expired.pub");
    Files.writeString(
        expired, org.sdcdocker.frontend.account.SshKey.of(k.getPublic()).openssh() + " old\n");
    admin("key", "add", "alice", expired.toString(), "--name", "old");
    X509Certificate old =
        Certificates.issue(
            ca, caKey, "alice", k.getPublic(), Duration.ofMinutes(-1), false, List.of());
    assertThat(tenant(certs("expired", old, k)).run("ps").err())
        .contains("Error response from daemon: Client certificate expired");
    admin("key", "rm", "alice", "old");

    // a disabled account
    assertThat(dave.run("ps").err()).contains("Error response from daemon: Forbidden");
  }

  @Test
  void status_showsTheCertificatesAndHowLongTheyAreValid() throws Exception {
    String status = admin("status");
    assertThat(status)
        .contains("LISTENERS", server.host())
        .containsPattern(
            "API CERTIFICATE +CN=[^,]+, valid until 20[0-9-]+T[0-9:]+Z \\([0-9]+ days left\\)")
        .containsPattern(
            "CLIENTS' CA +CN=sdc-docker CA [^,]*, valid until [^ ]+ \\(36[0-9][0-9] days left\\)")
        .containsPattern("CLUSTER MEMBERS +none \\(embedded\\)")
        .containsPattern("COMPUTE NODES +1 live of 1")
        .containsPattern("ACCOUNTS +[0-9]+");
  }

  @Test
  void pingAndTheCa_needNoCertificate() throws Exception {
    Path ca = dir.resolve("alice/ca.pem");
    Result ping = exec(List.of("curl", "-sS", "--cacert", ca.toString(), server.url() + "/_ping"));
    assertThat(ping.out()).isEqualTo("OK");
    Result pem = exec(List.of("curl", "-sS", "--cacert", ca.toString(), server.url() + "/ca.pem"));
    assertThat(pem.out()).isEqualTo(Files.readString(ca));
    Result list =
        exec(List.of("curl", "-sS", "--cacert", ca.toString(), server.url() + "/containers/json"));
    assertThat(list.out().strip()).isEqualTo("{\"message\":\"Unauthorized\"}");
  }

  @Test
  void anAccountNotApproved_mayLookButNotProvision() throws Exception {
    assertThat(carol.ok("ps")).startsWith("CONTAINER ID");
    String refused = "carol does not have permission to pull or provision";
    assertThat(carol.run("pull", image).err()).contains(refused);
    assertThat(carol.run("create", image, "true").err()).contains(refused);
    admin("account", "approve", "carol");
    assertThat(carol.run("pull", image).exitCode()).isZero();
    admin("account", "unapprove", "carol");
    assertThat(carol.run("run", "--rm", image, "true").err()).contains(refused);
    carol.ok("network", "create", "cnet");
    carol.ok("volume", "create", "cvol");
    assertThat(adminRun("account", "rm", "carol").err())
        .contains("account carol owns 1 image(s), 1 network(s), 1 volume(s): remove them first");
    carol.ok("rmi", image);
    carol.ok("network", "rm", "cnet");
    carol.ok("volume", "rm", "cvol");
    admin("account", "rm", "carol");
    assertThat(carol.run("ps").err()).contains("Unauthorized");
  }

  @Test
  void oneAccountsObjects_areInvisibleAndUntouchableForAnother() throws Exception {
    alice.ok("pull", image);
    String web = alice.ok("run", "-d", "--name", "web", image, "sleep", "300");
    alice.ok("network", "create", "anet");
    alice.ok("volume", "create", "avol");

    assertThat(bob.ok("ps", "-aq")).isEmpty();
    assertThat(bob.ok("images", "-q")).isEmpty();
    assertThat(bob.ok("network", "ls", "--format", "{{.Name}}")).doesNotContain("anet");
    assertThat(bob.ok("volume", "ls", "-q")).doesNotContain("avol");
    for (String ref : List.of("web", web, web.substring(0, 12))) {
      assertThat(bob.run("logs", ref).err()).contains("No such container: " + ref);
      assertThat(bob.run("exec", ref, "true").err()).contains("No such container: " + ref);
      assertThat(bob.run("stop", ref).err()).contains("No such container: " + ref);
      assertThat(bob.run("rm", "-f", ref).err()).contains("No such container: " + ref);
    }
    assertThat(bob.run("network", "rm", "anet").err()).contains("network anet not found");
    assertThat(bob.run("volume", "inspect", "avol").err()).contains("no such volume");
    assertThat(bob.run("image", "inspect", image).err()).contains("No such image");

    // names are per account
    bob.ok("pull", image);
    String bobs = bob.ok("run", "-d", "--name", "web", image, "sleep", "300");
    bob.ok("network", "create", "anet");
    bob.ok("volume", "create", "avol");
    assertThat(bobs).isNotEqualTo(web);
    assertThat(alice.ok("inspect", "-f", "{{.State.Running}}", "web")).isEqualTo("true");
    assertThat(alice.ok("ps", "-q", "--no-trunc")).isEqualTo(web);
  }

  @Test
  void aHostPortAnotherAccountHolds_isRefusedAtCreate_whenNoNodeHasItFree() throws Exception {
    alice.ok("pull", image);
    bob.ok("pull", image);
    String port = Integer.toString(LocalRegistry.freePort());
    String held = alice.ok("run", "-d", "-p", port + ":80", image, "sleep", "300");
    Result refused = bob.run("create", "-p", port + ":80", image, "true");
    assertThat(refused.err())
        .contains(
            "Bind for 0.0.0.0:"
                + port
                + " failed: port is already allocated on every"
                + " compute node");
    // a stopped container keeps its host port from other accounts too (its next start needs it)
    String port2 = Integer.toString(LocalRegistry.freePort());
    String stopped = alice.ok("create", "-p", port2 + ":80", image, "true");
    assertThat(bob.run("create", "-p", port2 + ":80", image, "true").err())
        .contains("Bind for 0.0.0.0:" + port2 + " failed: port is already allocated");
    alice.ok("rm", stopped);
    String other = bob.ok("run", "-d", "-p", "127.0.0.1::80", image, "sleep", "300");
    alice.ok("rm", "-f", held);
    String mine = bob.ok("run", "-d", "-p", port + ":80", image, "sleep", "300");
    assertThat(bob.ok("port", mine)).contains("0.0.0.0:" + port);
    bob.ok("rm", "-f", mine, other);
  }

  @Test
  void anAccountRemovedWithPurge_takesEverythingItOwnedWithIt() throws Exception {
    admin("account", "add", "frank", "--approve");
    DockerCli frank = tenant(issue("frank"));
    frank.ok("pull", image);
    String c = frank.ok("run", "-d", "-v", "fdata:/data", image, "sleep", "300");
    frank.ok("network", "create", "fnet");
    assertThat(adminRun("account", "rm", "frank").err())
        .contains("account frank owns 1 container(s), 1 image(s), 1 network(s), 1 volume(s)");
    assertThat(adminRun("account", "rm", "frank", "--purge").exitCode()).isZero();
    assertThat(adminRun("account", "get", "frank").err()).contains("no such account: frank");
    assertThat(Files.exists(server.dataRoot().resolve("agent/zones/" + c))).isFalse();
    assertThat(SdcServer.leftovers(server.dataRoot()))
        .noneMatch(l -> l.contains(c))
        .noneMatch(l -> l.contains("fdata"));
  }

  @Test
  void hijackedStreams_workOverTls() throws Exception {
    alice.ok("pull", image);
    String c = alice.ok("run", "-d", image, "sleep", "300");
    assertThat(alice.runWithInput(30, "hi\n", "exec", "-i", c, "cat").out()).isEqualTo("hi\n");
    assertThat(alice.runWithInput(30, "to the end\n", "run", "-i", "--rm", image, "cat").out())
        .isEqualTo("to the end\n");
    String talker = alice.ok("run", "-d", "-i", image, "sh", "-c", "read x; echo got $x");
    assertThat(alice.runWithInput(30, "ping\n", "attach", talker).out()).isEqualTo("got ping\n");
    alice.ok("rm", "-f", c, talker);
  }

  @Test
  void aRemovedKey_endsItsCertificate_andTlsMaterialReloadsWithoutARestart() throws Exception {
    admin("account", "add", "erin", "--approve");
    DockerCli erin = tenant(issue("erin"));
    assertThat(erin.ok("ps")).startsWith("CONTAINER ID");
    String key = admin("key", "ls", "erin", "--json");
    String name = key.replaceAll("(?s).*\"name\":\"(cert-[0-9a-f]+)\".*", "$1");
    admin("key", "rm", "erin", name);
    assertThat(erin.run("ps").err()).contains("Unauthorized");
    admin("account", "rm", "erin");

    // a new server certificate, signed by the same CA: new connections get it
    Path tls = server.dataRoot().resolve("frontend/tls");
    X509Certificate before = Certificates.readCertificate(tls.resolve("server-cert.pem"));
    KeyPair k = Certificates.newKey();
    X509Certificate next =
        Certificates.issue(
            Certificates.readCertificate(tls.resolve("ca.pem")),
            Certificates.readKey(tls.resolve("ca-key.pem")),
            "127.0.0.1",
            k.getPublic(),
            Duration.ofDays(30),
            true,
            List.of("127.0.0.1", "localhost"));
    Files.writeString(tls.resolve("server-key.pem"), Certificates.pem(k.getPrivate()));
    Files.writeString(tls.resolve("server-cert.pem"), Certificates.pem(next));
    admin("tls", "reload");
    Result served =
        exec(
            List.of(
                "sh",
                "-c",
                "openssl s_client -connect "
                    + server.host().substring("tcp://".length())
                    + " </dev/null 2>/dev/null | openssl x509 -noout -serial"));
    java.math.BigInteger serial =
        new java.math.BigInteger(served.out().trim().replace("serial=", ""), 16);
    assertThat(serial).isEqualTo(next.getSerialNumber()).isNotEqualTo(before.getSerialNumber());
    assertThat(alice.ok("ps")).startsWith("CONTAINER ID");
  }

  /**
   * Every route of the API that names an object (its list comes from the server itself, so a new
   * route cannot be forgotten here) answers bob, for alice's object by name, id or prefix, exactly
   * what it answers for one that does not exist.
   */
  @Test
  void everyRouteThatNamesAnObject_answersForAnothersObjectAsForAMissingOne() throws Exception {
    alice.ok("pull", image);
    String c = alice.ok("run", "-d", "--name", "iso", image, "sleep", "300");
    alice.ok("commit", "iso", "mine:1"); // an image only alice has (a pull's is shared content)
    String imageId = alice.ok("image", "inspect", "-f", "{{.Id}}", "mine:1");
    String net = alice.ok("network", "create", "anet2");
    alice.ok("volume", "create", "avol2");
    Api a = api("alice", dir.resolve("alice"));
    String exec =
        Json.MAPPER
            .readTree(a.send("POST", "/containers/iso/exec", "{\"Cmd\":[\"true\"]}").body())
            .get("Id")
            .asText();
    bob.ok("pull", image);
    String bobs = bob.ok("create", image, "true");
    Api b = api("bob", dir.resolve("bob"));

    // what each route is asked, {ref} the object's reference
    Map<String, String[]> table = new LinkedHashMap<>();
    for (String verb : List.of("start", "kill", "stop", "restart", "pause", "unpause", "wait")) {
      table.put(
          "POST /containers/{id}/" + verb, new String[] {"POST", "/containers/{ref}/" + verb});
    }
    for (String view :
        List.of(
            "json",
            "top",
            "logs?stdout=1",
            "changes",
            "export",
            "stats?stream=0",
            "archive?path=/etc")) {
      String route = view.replaceAll("\\?.*", "");
      table.put("GET /containers/{id}/" + route, new String[] {"GET", "/containers/{ref}/" + view});
    }
    table.put(
        "HEAD /containers/{id}/archive",
        new String[] {"HEAD", "/containers/{ref}/archive?path=/etc"});
    table.put(
        "PUT /containers/{id}/archive",
        new String[] {"PUT", "/containers/{ref}/archive?path=/tmp", ""});
    table.put(
        "POST /containers/{id}/rename",
        new String[] {"POST", "/containers/{ref}/rename?name=taken"});
    table.put(
        "POST /containers/{id}/resize",
        new String[] {"POST", "/containers/{ref}/resize?h=10&w=10"});
    table.put(
        "POST /containers/{id}/update", new String[] {"POST", "/containers/{ref}/update", "{}"});
    table.put(
        "POST /containers/{id}/attach",
        new String[] {"POST", "/containers/{ref}/attach?stdout=1&logs=1"});
    table.put(
        "GET /containers/{id}/attach/ws",
        new String[] {"GET", "/containers/{ref}/attach/ws?logs=1"});
    table.put(
        "POST /containers/{id}/exec",
        new String[] {"POST", "/containers/{ref}/exec", "{\"Cmd\":[\"true\"]}"});
    table.put("DELETE /containers/{id}", new String[] {"DELETE", "/containers/{ref}?force=1"});
    table.put(
        "DELETE /containers/{link}", new String[] {"DELETE", "/containers/{ref}/alias?link=1"});
    table.put("GET /images/{name}/json", new String[] {"GET", "/images/{ref}/json"});
    table.put("GET /images/{name}/history", new String[] {"GET", "/images/{ref}/history"});
    table.put("GET /images/{name}/get", new String[] {"GET", "/images/{ref}/get"});
    table.put(
        "POST /images/{name}/tag", new String[] {"POST", "/images/{ref}/tag?repo=stolen&tag=1"});
    table.put("POST /images/{name}/push", new String[] {"POST", "/images/{ref}/push"});
    table.put("DELETE /images/{name}", new String[] {"DELETE", "/images/{ref}"});
    table.put("GET /networks/{id}", new String[] {"GET", "/networks/{ref}"});
    table.put("DELETE /networks/{id}", new String[] {"DELETE", "/networks/{ref}"});
    table.put(
        "POST /networks/{id}/connect",
        new String[] {"POST", "/networks/{ref}/connect", "{\"Container\":\"" + bobs + "\"}"});
    table.put(
        "POST /networks/{id}/disconnect",
        new String[] {"POST", "/networks/{ref}/disconnect", "{\"Container\":\"" + bobs + "\"}"});
    table.put("GET /volumes/{name}", new String[] {"GET", "/volumes/{ref}"});
    table.put("DELETE /volumes/{name}", new String[] {"DELETE", "/volumes/{ref}"});
    table.put("GET /exec/{id}/json", new String[] {"GET", "/exec/{ref}/json"});
    table.put(
        "POST /exec/{id}/start", new String[] {"POST", "/exec/{ref}/start", "{\"Detach\":true}"});
    table.put("POST /exec/{id}/resize", new String[] {"POST", "/exec/{ref}/resize?h=10&w=10"});

    // every route with a parameter is in the table
    Result routes =
        exec(
            List.of(
                "curl",
                "-sS",
                "--unix-socket",
                server.adminSocket().toString(),
                "http://admin/routes"));
    List<String> named = new ArrayList<>();
    Json.MAPPER
        .readTree(routes.out())
        .forEach(
            r -> {
              if (r.asText().contains("{")) {
                named.add(r.asText());
              }
            });
    assertThat(named).isNotEmpty();
    assertThat(table.keySet()).containsAll(named);

    // alice's objects by each way of naming them, and a missing one of the same form
    Map<String, List<String[]>> refs = new LinkedHashMap<>();
    refs.put(
        "/containers/",
        List.of(
            new String[] {"iso", "nosuch"},
            new String[] {c, "f".repeat(64)},
            new String[] {c.substring(0, 12), "f".repeat(12)}));
    refs.put(
        "/images/",
        List.of(
            new String[] {"mine:1", "nosuch:1"},
            new String[] {imageId, "sha256:" + "f".repeat(64)},
            new String[] {imageId.substring(7, 19), "f".repeat(12)}));
    refs.put(
        "/networks/",
        List.of(new String[] {"anet2", "nosuch"}, new String[] {net, "f".repeat(64)}));
    refs.put("/volumes/", List.<String[]>of(new String[] {"avol2", "nosuch"}));
    refs.put("/exec/", List.<String[]>of(new String[] {exec, "f".repeat(64)}));
    int asked = 0;
    for (var e : table.entrySet()) {
      String[] req = e.getValue();
      String kind = req[1].substring(0, req[1].indexOf('/', 1) + 1);
      for (String[] ref : refs.get(kind)) {
        String theirs =
            req[1].equals("/containers/{ref}/alias?link=1")
                ? "/containers/" + ref[0] + "/alias"
                : req[1].replace("{ref}", ref[0]);
        String missing = theirs.replace(ref[0], ref[1]);
        String body = req.length > 2 ? req[2] : null;
        HttpResponse<String> got = b.send(req[0], theirs, body);
        HttpResponse<String> none = b.send(req[0], missing, body);
        assertThat(got.statusCode())
            .as(e.getKey() + " " + theirs)
            .isEqualTo(none.statusCode())
            .isBetween(400, 499);
        assertThat(masked(got.body(), ref[0]))
            .as(e.getKey() + " " + theirs)
            .isEqualTo(masked(none.body(), ref[1]));
        asked++;
      }
    }
    assertThat(asked).isGreaterThan(80);
    // and alice's objects are all still there, untouched
    assertThat(alice.ok("inspect", "-f", "{{.State.Running}} {{.Name}}", c)).isEqualTo("true /iso");
    assertThat(alice.ok("image", "inspect", "-f", "{{.Id}}", "mine:1")).isEqualTo(imageId);
    assertThat(alice.ok("network", "inspect", "-f", "{{.Id}}", "anet2")).isEqualTo(net);
    assertThat(alice.ok("volume", "inspect", "-f", "{{.Name}}", "avol2")).isEqualTo("avol2");
    assertThat(bob.ok("images", "--format", "{{.Repository}}")).doesNotContain("stolen");
    alice.ok("rm", "-f", c);
    alice.ok("network", "rm", "anet2");
    alice.ok("volume", "rm", "avol2");
    bob.ok("rm", bobs);
  }

  /** A message with the reference (and its repository, without the tag) masked. */
  private static String masked(String body, String ref) {
    return body.replace(ref, "REF").replace(ref.replaceAll(":[^:/]*$", ""), "REF");
  }

  /** The API over TLS with an account's certificate. */
  private record Api(HttpClient http, String base) {
    HttpResponse<String> send(String method, String path, String body) throws Exception {
      HttpRequest.Builder r =
          HttpRequest.newBuilder(URI.create(base + path))
              .timeout(Duration.ofSeconds(30))
              .method(
                  method,
                  body == null
                      ? HttpRequest.BodyPublishers.noBody()
                      : HttpRequest.BodyPublishers.ofString(body));
      if (body != null) {
        r.header("Content-Type", method.equals("PUT") ? "application/x-tar" : "application/json");
      }
      return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }
  }

  private Api api(String who, Path certs) throws Exception {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    ks.setKeyEntry(
        who,
        Certificates.readKey(certs.resolve("key.pem")),
        new char[0],
        new java.security.cert.Certificate[] {
          Certificates.readCertificate(certs.resolve("cert.pem"))
        });
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, new char[0]);
    KeyStore ts = KeyStore.getInstance("PKCS12");
    ts.load(null, null);
    ts.setCertificateEntry("ca", Certificates.readCertificate(certs.resolve("ca.pem")));
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(ts);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    return new Api(HttpClient.newBuilder().sslContext(ctx).build(), server.url());
  }
}
