package org.sdcdocker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sdcdocker.it.support.DockerCli.Result;
import org.sdcdocker.it.support.FixtureTest;
import org.sdcdocker.it.support.LocalRegistry;

/**
 * Networking: the account's fabric, published ports reached from the host on loopback, user
 * networks with name resolution, isolation between networks, links and the /etc files. Traffic goes
 * only to loopback and to the containers' own addresses.
 */
class NetworkTest extends FixtureTest {
  /** A container serving "hello NAME" over HTTP on port 80. */
  private String web(String name, String... options) throws Exception {
    List<String> args = new ArrayList<>(List.of("run", "-d", "--name", name));
    args.addAll(List.of(options));
    args.addAll(
        List.of(
            image,
            "sh",
            "-c",
            "mkdir -p /www && echo hello "
                + name
                + " > /www/index.html && exec httpd -f -p 80 -h /www"));
    return docker.ok(args.toArray(String[]::new));
  }

  /**
   * What a container's HTTP GET of http://IP/ prints last (busybox nc: its wget needs a resolver).
   */
  private static String[] get(String ip) {
    return new String[] {
      "sh", "-c", "printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 2 " + ip + " 80 | tail -1"
    };
  }

  private static String[] with(String[] head, String... tail) {
    String[] out = Arrays.copyOf(head, head.length + tail.length);
    System.arraycopy(tail, 0, out, head.length, tail.length);
    return out;
  }

  private static String fetch(int port) throws Exception {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
    Exception last = null;
    for (int i = 0; i < 50; i++) {
      try {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                    .timeout(Duration.ofSeconds(3))
                    .build(),
                HttpResponse.BodyHandlers.ofString())
            .body()
            .trim();
      } catch (IOException e) {
        last = e;
        Thread.sleep(100);
      }
    }
    throw new AssertionError("nothing served on 127.0.0.1:" + port, last);
  }

  @Test
  void fabric_containersReachEachOther_andInspectShowsTheAddress() throws Exception {
    String a = web("fab-a");
    String ip = docker.ok("inspect", "-f", "{{.NetworkSettings.IPAddress}}", a);
    assertThat(ip).matches("\\d+\\.\\d+\\.\\d+\\.\\d+");
    assertThat(
            docker.ok(
                "inspect",
                "-f",
                "{{.NetworkSettings.Networks.bridge.IPAddress}} {{.HostConfig.NetworkMode}}",
                a))
        .isEqualTo(ip + " bridge");
    String got = docker.ok(with(new String[] {"run", "--rm", image}, get(ip)));
    assertThat(got).isEqualTo("hello fab-a");
    assertThat(docker.ok("run", "--rm", image, "cat", "/etc/hosts"))
        .contains("127.0.0.1\tlocalhost");
    docker.ok("rm", "-f", a);
  }

  @Test
  void publishedPorts_areReachedOnLoopback_portAndPsShowThem() throws Exception {
    int port = LocalRegistry.freePort();
    String a = web("pub-a", "-p", port + ":80");
    assertThat(fetch(port)).isEqualTo("hello pub-a");
    assertThat(docker.ok("port", a)).isEqualTo("80/tcp -> 0.0.0.0:" + port);
    assertThat(docker.ok("ps", "--filter", "id=" + a, "--format", "{{.Ports}}"))
        .isEqualTo("0.0.0.0:" + port + "->80/tcp");
    assertThat(docker.ok("inspect", "-f", "{{json .NetworkSettings.Ports}}", a))
        .isEqualTo("{\"80/tcp\":[{\"HostIp\":\"0.0.0.0\",\"HostPort\":\"" + port + "\"}]}");

    Result clash =
        docker.run("run", "-d", "--name", "pub-b", "-p", port + ":80", image, "sleep", "300");
    assertThat(clash.exitCode()).isNotZero();
    assertThat(clash.err())
        .contains("Bind for 0.0.0.0:" + port + " failed: port is already allocated");
    assertThat(docker.ok("inspect", "-f", "{{.State.Status}}", "pub-b")).isEqualTo("created");
    docker.ok("rm", "pub-b");

    String p =
        docker.ok("run", "-d", "-P", "--expose", "81", "--expose", "82/udp", image, "sleep", "300");
    String ports = docker.ok("port", p);
    assertThat(ports)
        .containsPattern("81/tcp -> 0\\.0\\.0\\.0:\\d+")
        .containsPattern("82/udp -> 0\\.0\\.0\\.0:\\d+");
    assertThat(docker.ok("ps", "-q", "--no-trunc", "--filter", "publish=80")).isEqualTo(a);
    assertThat(docker.ok("ps", "-q", "--no-trunc", "--filter", "expose=80-81")).contains(a, p);
    assertThat(docker.ok("ps", "-q", "--no-trunc", "--filter", "expose=82/udp")).isEqualTo(p);
    assertThat(docker.ok("ps", "-q", "--filter", "network=bridge")).hasLineCount(2);
    assertThat(docker.ok("ps", "-q", "--filter", "network=none")).isEmpty();
    assertThat(docker.ok("stats", "--no-stream", "--format", "{{.NetIO}}", a))
        .doesNotStartWith("0B");
    docker.ok("rm", "-f", a, p);
    assertThat(fetchFails(port)).isTrue();
  }

  private static boolean fetchFails(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
      s.getOutputStream().write("GET / HTTP/1.0\r\n\r\n".getBytes());
      s.setSoTimeout(1000);
      return s.getInputStream().read() < 0;
    } catch (IOException e) {
      return true;
    }
  }

  @Test
  void userNetworks_resolveNamesAndAliases_andAreIsolatedFromTheFabric() throws Exception {
    String net =
        docker.ok("network", "create", "--subnet", "10.211.7.0/24", "--label", "team=a", "appnet");
    assertThat(
            docker.ok(
                "network", "ls", "--filter", "label=team=a", "--format", "{{.Name}} {{.Driver}}"))
        .isEqualTo("appnet bridge");
    assertThat(docker.ok("network", "ls", "--format", "{{.Name}}"))
        .contains("bridge", "none", "appnet");
    String s = web("svc", "--network", "appnet", "--network-alias", "api", "--ip", "10.211.7.50");
    assertThat(docker.ok("inspect", "-f", "{{.NetworkSettings.Networks.appnet.IPAddress}}", s))
        .isEqualTo("10.211.7.50");
    assertThat(
            docker.ok(
                "network",
                "inspect",
                "-f",
                "{{range .Containers}}{{.Name}} {{.IPv4Address}}{{end}}",
                "appnet"))
        .isEqualTo("svc 10.211.7.50/24");
    assertThat(docker.ok("run", "--rm", "--network", "appnet", image, "nslookup", "svc"))
        .contains("10.211.7.50");
    assertThat(docker.ok("run", "--rm", "--network", "appnet", image, "nslookup", "api"))
        .contains("10.211.7.50");
    assertThat(
            docker.ok(
                with(
                    new String[] {"run", "--rm", "--network", "appnet", image},
                    get("10.211.7.50"))))
        .isEqualTo("hello svc");

    Result cut = docker.run(with(new String[] {"run", "--rm", image}, get("10.211.7.50")));
    assertThat(cut.out()).doesNotContain("hello");
    // an address asked for on the default network is refused, as Docker refuses it
    Result onDefault = docker.run("run", "--rm", "--ip", "10.211.7.51", image, "true");
    assertThat(onDefault.exitCode()).isNotZero();
    assertThat(onDefault.err())
        .contains("user specified IP address is supported on user defined networks only");

    String c = docker.ok("run", "-d", "--name", "joiner", image, "sleep", "300");
    docker.ok("network", "connect", "--alias", "j", "--ip", "10.211.7.60", "appnet", c);
    assertThat(docker.ok("inspect", "-f", "{{.NetworkSettings.Networks.appnet.IPAddress}}", c))
        .isEqualTo("10.211.7.60");
    assertThat(docker.ok("run", "--rm", "--network", "appnet", image, "nslookup", "j"))
        .contains("10.211.7.60");
    Result again = docker.run("network", "connect", "appnet", c);
    assertThat(again.err()).contains("endpoint with name joiner already exists in network appnet");
    assertThat(docker.ok(with(new String[] {"exec", c}, get("10.211.7.50"))))
        .isEqualTo("hello svc");
    assertThat(docker.ok("inspect", "-f", "{{len .NetworkSettings.Networks}}", c)).isEqualTo("2");
    docker.ok("network", "disconnect", "appnet", c);
    assertThat(docker.ok("inspect", "-f", "{{len .NetworkSettings.Networks}}", c)).isEqualTo("1");
    assertThat(docker.run(with(new String[] {"exec", c}, get("10.211.7.50"))).out())
        .doesNotContain("hello");

    Result busy = docker.run("network", "rm", "appnet");
    assertThat(busy.exitCode()).isNotZero();
    assertThat(busy.err()).contains("has active endpoints");
    docker.ok("rm", "-f", s, c);
    assertThat(docker.ok("network", "rm", "appnet")).isEqualTo("appnet");
    assertThat(docker.run("network", "inspect", net).err()).contains("not found");
  }

  @Test
  void linksHostsAndDns_areWrittenAsDockerWritesThem() throws Exception {
    String db =
        docker.ok(
            "run",
            "-d",
            "--name",
            "db",
            "--expose",
            "5432",
            "-e",
            "SECRET=s1",
            image,
            "sleep",
            "300");
    String ip = docker.ok("inspect", "-f", "{{.NetworkSettings.IPAddress}}", db);
    String env = docker.ok("run", "--rm", "--link", "db:data", image, "env");
    assertThat(env)
        .contains(
            "DATA_PORT_5432_TCP_ADDR=" + ip,
            "DATA_PORT=tcp://" + ip + ":5432",
            "DATA_NAME=/",
            "DATA_ENV_SECRET=s1");
    String hosts =
        docker.ok(
            "run",
            "--rm",
            "--link",
            "db:data",
            "--add-host",
            "extra.example:10.9.8.7",
            "-h",
            "me",
            image,
            "cat",
            "/etc/hosts");
    assertThat(hosts).contains("10.9.8.7\textra.example", ip + "\tdata db " + db.substring(0, 12));
    assertThat(hosts).containsPattern("\\d+\\.\\d+\\.\\d+\\.\\d+\tme");
    String gateway = docker.ok("inspect", "-f", "{{.NetworkSettings.Gateway}}", db);
    assertThat(
            docker.ok("run", "--rm", "--add-host", "gw:host-gateway", image, "cat", "/etc/hosts"))
        .contains(gateway + "\tgw");
    String resolv =
        docker.ok(
            "run",
            "--rm",
            "--dns",
            "10.1.2.3",
            "--dns-search",
            "corp.example",
            "--dns-option",
            "ndots:2",
            image,
            "cat",
            "/etc/resolv.conf");
    assertThat(resolv).isEqualTo("nameserver 10.1.2.3\nsearch corp.example\noptions ndots:2");
    String web =
        docker.ok(
            "create",
            "--name",
            "webapp",
            "--link",
            "db:data",
            image,
            "sh",
            "-c",
            "env | grep -c DATA_ || true");
    assertThat(docker.ok("inspect", "-f", "{{json .HostConfig.Links}}", web))
        .isEqualTo("[\"/db:/webapp/data\"]");
    docker.ok("rm", "--link", "/webapp/data");
    assertThat(docker.ok("inspect", "-f", "{{json .HostConfig.Links}}", web)).isEqualTo("null");
    assertThat(docker.ok("start", "-a", web)).isEqualTo("0");
    assertThat(docker.run("rm", "--link", "/webapp").err())
        .contains("Conflict, cannot remove the default link name");
    docker.ok("rm", web);
    Result stopped = docker.run("run", "--rm", "--link", "nosuch:x", image, "true");
    assertThat(stopped.err()).contains("could not get container for nosuch");
    assertThat(docker.ok("run", "--rm", "--network", "none", image, "ip", "-o", "link"))
        .doesNotContain("eth0");
    assertThat(
            docker.ok("run", "--rm", "--network", "container:db", image, "ip", "-o", "-4", "addr"))
        .contains(ip + "/");
    docker.ok("rm", "-f", db);
  }

  @Test
  void internalNetworks_rangesMacsPruneAndEvents() throws Exception {
    long since = System.currentTimeMillis() / 1000;
    docker.ok(
        "network",
        "create",
        "--internal",
        "--subnet",
        "10.211.9.0/24",
        "--ip-range",
        "10.211.9.128/25",
        "inet");
    String outside = web("outside");
    String outsideIp = docker.ok("inspect", "-f", "{{.NetworkSettings.IPAddress}}", outside);
    String in = web("inside", "--network", "inet", "--mac-address", "02:42:0a:d3:09:99");
    String inIp = docker.ok("inspect", "-f", "{{.NetworkSettings.Networks.inet.IPAddress}}", in);
    assertThat(Integer.parseInt(inIp.substring(inIp.lastIndexOf('.') + 1)))
        .isGreaterThanOrEqualTo(128);
    assertThat(docker.ok("inspect", "-f", "{{.NetworkSettings.Networks.inet.MacAddress}}", in))
        .isEqualTo("02:42:0a:d3:09:99");
    assertThat(docker.ok(with(new String[] {"run", "--rm", "--network", "inet", image}, get(inIp))))
        .isEqualTo("hello inside");
    assertThat(docker.run(with(new String[] {"exec", in}, get(outsideIp))).out())
        .doesNotContain("hello");
    assertThat(
            docker.ok(
                "network",
                "inspect",
                "-f",
                "{{.Internal}} {{range .IPAM.Config}}{{.IPRange}}{{end}}",
                "inet"))
        .isEqualTo("true 10.211.9.128/25");
    docker.ok("rm", "-f", in, outside);
    docker.ok("network", "create", "unused");
    assertThat(docker.ok("network", "prune", "-f")).contains("inet", "unused");
    assertThat(docker.ok("network", "ls", "--format", "{{.Name}}"))
        .doesNotContain("inet", "unused");
    String events =
        docker.ok(
            "events",
            "--since",
            Long.toString(since),
            "--until",
            Long.toString(System.currentTimeMillis() / 1000 + 1),
            "--filter",
            "type=network",
            "--format",
            "{{.Action}} {{.Actor.Attributes.name}}");
    assertThat(events).contains("create inet", "destroy inet", "create unused", "destroy unused");
    assertThat(events)
        .contains("connect inet", "disconnect inet", "connect bridge", "disconnect bridge");
  }

  @Test
  void theNetwork_survivesAgentAndFrontendRestarts() throws Exception {
    docker.ok("network", "create", "rnet");
    int port = LocalRegistry.freePort();
    String s = web("rs", "--network", "rnet", "-p", port + ":80");
    String ip = docker.ok("inspect", "-f", "{{.NetworkSettings.Networks.rnet.IPAddress}}", s);
    assertThat(fetch(port)).isEqualTo("hello rs");
    f.server.stopAgent();
    assertThat(fetch(port)).isEqualTo("hello rs");
    f.server.startAgent();
    f.server.restartFrontend();
    assertThat(docker.ok("inspect", "-f", "{{.NetworkSettings.Networks.rnet.IPAddress}}", s))
        .isEqualTo(ip);
    assertThat(docker.ok("port", s)).isEqualTo("80/tcp -> 0.0.0.0:" + port);
    assertThat(docker.ok("run", "--rm", "--network", "rnet", image, "nslookup", "rs")).contains(ip);
    assertThat(fetch(port)).isEqualTo("hello rs");
    docker.ok("rm", "-f", s);
    docker.ok("network", "rm", "rnet");
  }
}
