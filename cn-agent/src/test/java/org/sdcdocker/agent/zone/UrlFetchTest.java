package org.sdcdocker.agent.zone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sdcdocker.protocol.DockerException;

/** URL volumes: which addresses are refused, and the fetch's checks against a loopback server. */
class UrlFetchTest {
  @TempDir Path dir;
  private HttpServer http;
  private String base;

  @BeforeEach
  void serve() throws IOException {
    http = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
    http.createContext("/fixed", ex -> answer(ex, 200, "fixed body", false));
    http.createContext("/chunked", ex -> answer(ex, 200, "a chunked body", true));
    http.createContext("/missing", ex -> answer(ex, 404, "no", false));
    http.createContext("/big", ex -> answer(ex, 200, "x".repeat(5000), true));
    http.createContext(
        "/hop",
        ex -> {
          ex.getResponseHeaders().add("Location", "/fixed");
          answer(ex, 302, "", false);
        });
    http.createContext(
        "/elsewhere",
        ex -> {
          ex.getResponseHeaders()
              .add("Location", "http://127.0.0.2:" + http.getAddress().getPort() + "/fixed");
          answer(ex, 307, "", false);
        });
    http.createContext(
        "/slow",
        ex -> {
          try {
            Thread.sleep(1200);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          answer(ex, 200, "late", false);
        });
    http.start();
    base = "http://127.0.0.1:" + http.getAddress().getPort();
  }

  @AfterEach
  void stop() {
    http.stop(0);
  }

  private static void answer(
      com.sun.net.httpserver.HttpExchange ex, int status, String body, boolean chunked)
      throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    ex.sendResponseHeaders(status, chunked ? 0 : b.length == 0 ? -1 : b.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(b);
    }
  }

  private static UrlPolicy loopbackOne() {
    return UrlPolicy.of(List.of("127.0.0.1/32"), Set::of);
  }

  private String fetch(UrlPolicy p, String path, long max, long timeoutMs) throws IOException {
    Path f = dir.resolve("file");
    new UrlFetch(p, max, timeoutMs).fetch(base + path, f);
    return Files.readString(f);
  }

  @Test
  void theDefaultPolicy_refusesEveryNonPublicAddress() throws Exception {
    InetAddress own = InetAddress.getByName("198.2.3.4");
    UrlPolicy p = UrlPolicy.of(List.of(), () -> Set.of(own));
    for (var c :
        List.of(
            List.of("127.0.0.1", "a loopback address"),
            List.of("127.9.9.9", "a loopback address"),
            List.of("::1", "a loopback address"),
            List.of("::ffff:127.0.0.1", "a loopback address"),
            List.of("0.0.0.0", "an unspecified address"),
            List.of("169.254.169.254", "a link-local address"),
            List.of("fe80::1", "a link-local address"),
            List.of("224.0.0.1", "a multicast or broadcast address"),
            List.of("255.255.255.255", "a multicast or broadcast address"),
            List.of("10.210.0.5", "a private address"),
            List.of("172.20.1.1", "a private address"),
            List.of("192.168.1.1", "a private address"),
            List.of("100.64.0.1", "a private address"),
            List.of("fd00::1", "a private address"),
            List.of("192.0.2.1", "a reserved address"),
            List.of("240.0.0.1", "a reserved address"),
            List.of("64:ff9b::a00:1", "a reserved address"),
            List.of("198.2.3.4", "an address of this compute node"))) {
      assertThat(p.refusal(InetAddress.getByName(c.get(0)))).as(c.get(0)).isEqualTo(c.get(1));
    }
    assertThat(p.refusal(InetAddress.getByName("198.2.3.5"))).isNull();
    assertThat(p.refusal(InetAddress.getByName("2a00:1450::1"))).isNull();
  }

  @Test
  void whatTheOperatorAllows_isAllowedWhateverItsKind() throws Exception {
    UrlPolicy p = UrlPolicy.of(List.of("10.1.0.0/16,127.0.0.2", "fd00::/8"), Set::of);
    assertThat(p.refusal(InetAddress.getByName("10.1.2.3"))).isNull();
    assertThat(p.refusal(InetAddress.getByName("127.0.0.2"))).isNull();
    assertThat(p.refusal(InetAddress.getByName("fd00::5"))).isNull();
    assertThat(p.refusal(InetAddress.getByName("10.2.0.1"))).isEqualTo("a private address");
    assertThat(p.refusal(InetAddress.getByName("127.0.0.1"))).isEqualTo("a loopback address");
    assertThatThrownBy(() -> UrlPolicy.of(List.of("example.com/8"), Set::of))
        .hasMessage("invalid CIDR address: example.com/8");
    assertThatThrownBy(() -> UrlPolicy.of(List.of("10.0.0.0/33"), Set::of))
        .hasMessage("invalid CIDR address: 10.0.0.0/33");
  }

  @Test
  void aLoopbackUrl_isRefusedBeforeAnyConnection() {
    assertThatThrownBy(() -> fetch(UrlPolicy.of(List.of()), "/fixed", 1 << 20, 5000))
        .isInstanceOf(DockerException.class)
        .hasMessageContaining("fetching host volume " + base + "/fixed: 127.0.0.1 is a loopback")
        .hasMessageContaining("--url-volume-allow");
  }

  @Test
  void bodies_withALengthOrChunked_andRedirectsOnAllowedAddresses() throws Exception {
    assertThat(fetch(loopbackOne(), "/fixed", 1 << 20, 5000)).isEqualTo("fixed body");
    assertThat(fetch(loopbackOne(), "/chunked", 1 << 20, 5000)).isEqualTo("a chunked body");
    assertThat(fetch(loopbackOne(), "/hop", 1 << 20, 5000)).isEqualTo("fixed body");
  }

  @Test
  void aRedirectToARefusedAddress_isRefused() {
    assertThatThrownBy(() -> fetch(loopbackOne(), "/elsewhere", 1 << 20, 5000))
        .hasMessageContaining("127.0.0.2 is a loopback address");
    assertThat(dir.resolve("file")).doesNotExist();
  }

  @Test
  void errorsSizeAndTime_areBounded() {
    assertThatThrownBy(() -> fetch(loopbackOne(), "/missing", 1 << 20, 5000))
        .hasMessageEndingWith("the server answered 404");
    assertThatThrownBy(() -> fetch(loopbackOne(), "/big", 4096, 5000))
        .hasMessageContaining("larger than");
    assertThat(dir.resolve("file")).doesNotExist();
    assertThat(dir.resolve("file.part")).doesNotExist();
    assertThatThrownBy(() -> fetch(loopbackOne(), "/slow", 1 << 20, 400))
        .hasMessageEndingWith("no answer within 1 s");
    assertThatThrownBy(() -> fetch(loopbackOne(), "/../x", 1 << 20, 1000))
        .isInstanceOf(DockerException.class);
    assertThatThrownBy(
            () ->
                new UrlFetch(loopbackOne(), 1, 1000).fetch("file:///etc/passwd", dir.resolve("f")))
        .hasMessageEndingWith("only http and https URLs can be fetched");
  }
}
