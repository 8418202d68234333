package org.sdcdocker.frontend.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sdcdocker.frontend.account.Certificates;

/** The API's TLS material: made by the server, or from the operator's CA and its key. */
class ApiTlsTest {
  @TempDir Path dir;

  private static final List<String> HOSTS = List.of("tcp://127.0.0.1:2376");

  private Path[] ca(String name) throws IOException {
    KeyPair kp = Certificates.newKey();
    Path cert = dir.resolve(name + ".pem");
    Path key = dir.resolve(name + "-key.pem");
    Files.writeString(cert, Certificates.pem(Certificates.ca(kp, name, Duration.ofDays(9))));
    Files.writeString(key, Certificates.pem(kp.getPrivate()));
    return new Path[] {cert, key};
  }

  private static X509Certificate server(Path tlsDir) throws IOException {
    return Certificates.readCertificate(tlsDir.resolve("server-cert.pem"));
  }

  @Test
  void withTheOperatorsCaAndKey_twoServersSignTheirCertificatesWithIt_andIssue() throws Exception {
    Path[] ca = ca("fleet");
    X509Certificate caCert = Certificates.readCertificate(ca[0]);
    for (String fe : List.of("fe1", "fe2")) {
      ApiTls t =
          ApiTls.prepare(new ApiTls.Options(ca[0], ca[1], null, null), dir.resolve(fe), HOSTS);
      server(dir.resolve(fe)).verify(caCert.getPublicKey());
      assertThat(t.ca()).isEqualTo(caCert);
      assertThat(t.caKey()).isNotNull();
      assertThat(Files.exists(dir.resolve(fe).resolve("ca-key.pem"))).isFalse();
    }
  }

  @Test
  void aServerCertificateOfAnotherCa_isMadeAnew() throws Exception {
    ApiTls.prepare(new ApiTls.Options(null, null, null, null), dir.resolve("fe"), HOSTS);
    Path[] ca = ca("new");
    ApiTls.prepare(new ApiTls.Options(ca[0], ca[1], null, null), dir.resolve("fe"), HOSTS);
    server(dir.resolve("fe")).verify(Certificates.readCertificate(ca[0]).getPublicKey());
  }

  @Test
  void aKeyThatIsNotTheCasOwn_orAKeyWithoutItsCa_isRefused() throws Exception {
    Path[] a = ca("a");
    Path[] b = ca("b");
    assertThatThrownBy(
            () ->
                ApiTls.prepare(new ApiTls.Options(a[0], b[1], null, null), dir.resolve("x"), HOSTS))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("is not the key of");
    assertThatThrownBy(
            () ->
                ApiTls.prepare(new ApiTls.Options(null, b[1], null, null), dir.resolve("x"), HOSTS))
        .hasMessage("--tlscakey goes with --tlscacert");
  }
}
