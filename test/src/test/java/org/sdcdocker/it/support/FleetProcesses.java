package org.sdcdocker.it.support;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A fleet on this machine, each member a JVM of its own: front ends in the host's network
 * namespace, each agent in a network namespace of its own (as a separate compute node: its bridges,
 * iptables rules and ports touch no other's), all joined by an underlay bridge the fleet makes and
 * removes. The event bus between members uses TLS with certificates made here by a CA made here.
 */
public final class FleetProcesses implements AutoCloseable {
  /** The underlay: a bridge in the host namespace, a /24 that nothing else here uses. */
  public static final String BRIDGE = "sdcfl0";

  public static final String HOST_ADDRESS = "10.251.0.1";
  private static final int CLUSTER_PORT = 5801;

  private final Path dir;
  private final String clusterName = "it-" + Long.toHexString(System.nanoTime());
  private final List<Member> members = new ArrayList<>();
  private final Certificates trusted;

  /** A CA's certificate, and a member certificate and key it signed. */
  private record Certificates(Path ca, Path cert, Path key) {}

  private int nodes;

  /** One member's process. */
  public final class Member {
    final String role;
    final String netns;
    public final String address;
    public final int clusterPort;
    final List<String> args;
    final Path log;
    final Path dataRoot;
    Certificates certs = trusted;
    Process process;
    long startedAt;

    Member(String role, String netns, String address, int clusterPort, List<String> args) {
      this(role, netns, address, clusterPort, args, null);
    }

    Member(
        String role,
        String netns,
        String address,
        int clusterPort,
        List<String> args,
        Path dataRoot) {
      this.dataRoot = dataRoot != null ? dataRoot : dir.resolve(role + "-" + clusterPort);
      this.role = role;
      this.netns = netns;
      this.address = address;
      this.clusterPort = clusterPort;
      this.args = args;
      this.log = Path.of("target", "fleet-" + role + "-" + clusterPort + ".log").toAbsolutePath();
    }

    public String address() {
      return address;
    }

    /** The network namespace the member runs in (a node's), null for the host's. */
    public String netns() {
      return netns;
    }

    public Path dataRoot() {
      return dataRoot;
    }

    /** Waits for the process to end; whether it did within {@code seconds}. */
    public boolean waitFor(int seconds) throws InterruptedException {
      return process.waitFor(seconds, TimeUnit.SECONDS);
    }

    /** Waits until this run of the member has logged {@code text}. */
    public void awaitLog(String text, int seconds) throws IOException, InterruptedException {
      long from = startedAt;
      for (int i = 0; i < seconds * 5; i++) {
        if (Files.exists(log) && Files.size(log) > from) {
          String s = Files.readString(log);
          if (s.indexOf(text, (int) from) >= 0) {
            return;
          }
        }
        if (!alive()) {
          throw new IllegalStateException(role + " exited; see " + log);
        }
        Thread.sleep(200);
      }
      throw new IllegalStateException(role + " did not log '" + text + "'; see " + log);
    }

    public int exitValue() {
      return process.exitValue();
    }

    /** Starts the member's JVM (again, after a kill: same data root). */
    public void start() throws IOException {
      Files.createDirectories(log.getParent());
      startedAt = Files.exists(log) ? Files.size(log) : 0;
      // a session of its own, as a service manager starts a member: a member stopped by a test
      // (SIGSTOP) is otherwise in the test's process group, which the kernel sends SIGHUP and
      // SIGCONT to when the shell that ran the build exits meanwhile (the group is orphaned)
      List<String> cmd = new ArrayList<>(List.of("setsid"));
      if (netns != null) { // only the network namespace: cgroups and mounts stay the host's
        cmd.addAll(List.of("nsenter", "--net=/run/netns/" + netns));
      }
      cmd.addAll(
          List.of(
              ProcessHandle.current().info().command().orElse("java"),
              "-XX:+UseSerialGC",
              "-Xss512k",
              "-Xmx192m",
              "--add-opens=java.base/java.lang=ALL-UNNAMED",
              "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
              "--add-opens=java.management/sun.management=ALL-UNNAMED",
              "--add-opens=jdk.management/com.sun.management.internal=ALL-UNNAMED",
              "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED"));
      cmd.addAll(
          List.of(
              "-cp",
              classPath(role),
              "org.sdcdocker.launcher.Main",
              role,
              "--data-root",
              dataRoot().toString(),
              "--cluster-name",
              clusterName,
              "--cluster-host",
              address,
              "--cluster-port",
              Integer.toString(clusterPort),
              "--cluster-cert",
              certs.cert().toString(),
              "--cluster-key",
              certs.key().toString(),
              "--cluster-ca",
              certs.ca().toString()));
      // every front end made so far is a member to join through (the first one may be down)
      for (Member m : members) {
        if (m.role.equals("frontend")) {
          cmd.addAll(List.of("--cluster-member", HOST_ADDRESS + ":" + m.clusterPort));
        }
      }
      cmd.addAll(args);
      process =
          new ProcessBuilder(cmd)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
              .start();
    }

    /**
     * This test's class path; an agent's without Bouncy Castle, as bin/sdc-docker starts it (only
     * the front end's tenants need it): an agent that came to need it fails here.
     */
    private static String classPath(String role) {
      String all = System.getProperty("java.class.path");
      if (!role.equals("agent")) {
        return all;
      }
      return Arrays.stream(all.split(File.pathSeparator))
          .filter(e -> !Path.of(e).getFileName().toString().matches("bc(prov|pkix|util)-.*"))
          .collect(Collectors.joining(File.pathSeparator));
    }

    /** SIGKILL of the JVM only: an agent's containers run on under conmon. */
    public void kill() throws InterruptedException {
      if (process != null) {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
      }
    }

    /** Sends the JVM a signal (STOP, CONT): nsenter runs it in its own process. */
    public void signal(String name) throws IOException, InterruptedException {
      sh("kill", "-" + name, Long.toString(process.pid()));
    }

    public boolean alive() {
      return process != null && process.isAlive();
    }

    public Path log() {
      return log;
    }
  }

  private FleetProcesses(Path dir) throws IOException, InterruptedException {
    this.dir = dir;
    this.trusted = certificates(dir.resolve("pki"));
  }

  /** Makes the underlay and the certificates. */
  public static FleetProcesses create(Path dir) throws IOException, InterruptedException {
    FleetProcesses f = new FleetProcesses(dir);
    removeUnderlay();
    sh("ip", "link", "add", BRIDGE, "type", "bridge");
    sh("ip", "addr", "add", HOST_ADDRESS + "/24", "dev", BRIDGE);
    sh("ip", "link", "set", BRIDGE, "up");
    return f;
  }

  /**
   * A front end in the host's namespace, its API on loopback at {@code apiPort}, its admin socket
   * {@link #adminSocket}.
   */
  public Member frontend(int apiPort) {
    return frontend(apiPort, List.of());
  }

  /** A front end with more flags (for example the API's TLS). */
  public Member frontend(int apiPort, List<String> more) {
    int port = CLUSTER_PORT + members.size();
    List<String> args =
        new ArrayList<>(
            List.of(
                "-H",
                "tcp://127.0.0.1:" + apiPort,
                "--admin-socket",
                dir.resolve("admin-" + port + ".sock").toString()));
    args.addAll(more);
    Member m = new Member("frontend", null, HOST_ADDRESS, port, args);
    members.add(m);
    return m;
  }

  /** An agent in a network namespace of its own, on the underlay. */
  public Member agent() throws IOException, InterruptedException {
    int n = ++nodes;
    String ns = "sdcfl-cn" + n;
    String address = "10.251.0." + (10 + n);
    sh("ip", "netns", "add", ns);
    sh("ip", "link", "add", "sdcfl-v" + n, "type", "veth", "peer", "name", "eth0", "netns", ns);
    sh("ip", "link", "set", "sdcfl-v" + n, "master", BRIDGE, "up");
    sh("ip", "-n", ns, "addr", "add", address + "/24", "dev", "eth0");
    sh("ip", "-n", ns, "link", "set", "eth0", "up");
    sh("ip", "-n", ns, "link", "set", "lo", "up");
    Path repo = Path.of(System.getProperty("sdc.repo", "..")).toAbsolutePath().normalize();
    Member m =
        new Member(
            "agent",
            ns,
            address,
            CLUSTER_PORT + members.size(),
            List.of(
                "--dockerinit",
                repo.resolve("dockerinit/target/dockerinit").toString(),
                "--network-pool",
                "10.2" + (20 + n) + ".0.0/16"));
    members.add(m);
    return m;
  }

  /** Another agent on the same node with the same data root (which must refuse to run). */
  public Member twin(Member agent) {
    Member m =
        new Member(
            "agent",
            agent.netns,
            agent.address,
            CLUSTER_PORT + members.size(),
            agent.args,
            agent.dataRoot);
    members.add(m);
    return m;
  }

  /** The admin socket of a front end. */
  public Path adminSocket(Member fe) {
    return dir.resolve("admin-" + fe.clusterPort + ".sock");
  }

  /** Runs {@code sdc-dockeradm} against a front end's admin socket (60 s at most). */
  public DockerCli.Result admin(Member fe, String... args)
      throws IOException, InterruptedException {
    return AdminCli.sdcDockeradm(adminSocket(fe), args);
  }

  /** Waits until a front end answers /_ping on loopback (90 s at most). */
  public static void awaitApi(Member fe, int apiPort) throws IOException, InterruptedException {
    ServerProcess.awaitPing("http://127.0.0.1:" + apiPort, fe.process, fe.log, 90);
  }

  /** Waits until a front end answers /_ping over TLS on loopback (90 s at most). */
  public static void awaitTlsApi(Member fe, int apiPort) throws IOException, InterruptedException {
    ServerProcess.awaitPing("https://127.0.0.1:" + apiPort, fe.process, fe.log, 90);
  }

  /**
   * An agent whose certificate another CA signed (its own, which it trusts): it joins Hazelcast,
   * but no member accepts its event-bus connections, nor it theirs.
   */
  public Member untrustedAgent() throws IOException, InterruptedException {
    Member m = agent();
    m.certs = certificates(dir.resolve("pki-untrusted"));
    return m;
  }

  /** A CA, and one certificate it signs for every member's address. */
  private static Certificates certificates(Path dir) throws IOException, InterruptedException {
    Files.createDirectories(dir);
    Path ca = dir.resolve("ca.pem");
    Path cert = dir.resolve("member.pem");
    Path key = dir.resolve("member-key.pem");
    Path caKey = dir.resolve("ca-key.pem");
    sh(
        "openssl",
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        caKey.toString(),
        "-out",
        ca.toString(),
        "-days",
        "2",
        "-subj",
        "/CN=sdc-docker fleet test CA");
    Path csr = dir.resolve("member.csr");
    sh(
        "openssl",
        "req",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        key.toString(),
        "-out",
        csr.toString(),
        "-subj",
        "/CN=sdc-docker member");
    Path ext = dir.resolve("member.ext");
    StringBuilder san = new StringBuilder("subjectAltName=IP:" + HOST_ADDRESS);
    for (int i = 11; i < 20; i++) {
      san.append(",IP:10.251.0.").append(i);
    }
    Files.writeString(
        ext, san + "\nextendedKeyUsage=serverAuth,clientAuth\nbasicConstraints=CA:FALSE\n");
    sh(
        "openssl",
        "x509",
        "-req",
        "-in",
        csr.toString(),
        "-CA",
        ca.toString(),
        "-CAkey",
        caKey.toString(),
        "-CAcreateserial",
        "-out",
        cert.toString(),
        "-days",
        "2",
        "-extfile",
        ext.toString());
    return new Certificates(ca, cert, key);
  }

  @Override
  public void close() throws IOException, InterruptedException {
    for (Member m : members) {
      m.kill();
    }
    for (Member m : members) { // what a failed test could not remove through the API
      if (m.role.equals("agent")) {
        ServerProcess.scrubAgent(m.dataRoot());
      }
    }
    for (int n = 1; n <= nodes; n++) {
      run("ip", "netns", "delete", "sdcfl-cn" + n);
    }
    removeUnderlay();
  }

  private static void removeUnderlay() throws IOException, InterruptedException {
    run("ip", "link", "delete", BRIDGE);
  }

  private static void sh(String... cmd) throws IOException, InterruptedException {
    if (run(cmd) != 0) {
      throw new IOException("failed: " + String.join(" ", cmd));
    }
  }

  private static int run(String... cmd) throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return -1;
    }
    return p.exitValue();
  }
}
