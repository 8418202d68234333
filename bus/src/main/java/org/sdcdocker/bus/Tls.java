package org.sdcdocker.bus;

import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A fleet member's TLS material: its certificate and key (PEM, the key PKCS#8) and the CA that
 * signs every member's. The byte streams between machines use it: an agent's data plane (logs,
 * attach, exec, archives: one-time tickets over TLS) and a front end's blob endpoint (members only:
 * a client must present a certificate the CA signed). Null in the embedded default, where those
 * streams stay on loopback.
 */
public record Tls(Path cert, Path key, Path ca) {
  /**
   * A server's options over TLS; with {@code members}, a client must show a member's certificate.
   */
  public HttpServerOptions server(HttpServerOptions o, boolean members) {
    o.setSsl(true)
        .setKeyCertOptions(
            new PemKeyCertOptions().setCertPath(cert.toString()).setKeyPath(key.toString()));
    if (members) {
      o.setTrustOptions(new PemTrustOptions().addCertPath(ca.toString()))
          .setClientAuth(ClientAuth.REQUIRED);
    }
    return o;
  }

  /**
   * A Vert.x client's options: it trusts only servers the CA signed (their address checked against
   * the certificate) and shows this member's certificate; {@code https} URLs use them.
   */
  public HttpClientOptions client(HttpClientOptions o) {
    return o.setTrustOptions(new PemTrustOptions().addCertPath(ca.toString()))
        .setKeyCertOptions(
            new PemKeyCertOptions().setCertPath(cert.toString()).setKeyPath(key.toString()))
        .setVerifyHost(true);
  }

  /** The same for the JDK's HTTP client. */
  public SSLContext sslContext() {
    try {
      CertificateFactory x509 = CertificateFactory.getInstance("X.509");
      KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
      trust.load(null, null);
      try (InputStream in = Files.newInputStream(ca)) {
        int i = 0;
        for (Certificate c : x509.generateCertificates(in)) {
          trust.setCertificateEntry("ca" + i++, c);
        }
      }
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      List<? extends Certificate> chain;
      try (InputStream in = Files.newInputStream(cert)) {
        chain = List.copyOf(x509.generateCertificates(in));
      }
      KeyStore keys = KeyStore.getInstance(KeyStore.getDefaultType());
      keys.load(null, null);
      char[] none = new char[0];
      keys.setKeyEntry("member", privateKey(), none, chain.toArray(Certificate[]::new));
      KeyManagerFactory kmf =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(keys, none);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
      return ctx;
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot read the member's TLS material: " + e.getMessage());
    }
  }

  /** The PKCS#8 key (EC or RSA), as {@code openssl req -newkey} writes it. */
  private PrivateKey privateKey() throws IOException, GeneralSecurityException {
    String pem = Files.readString(key);
    int from = pem.indexOf("-----BEGIN PRIVATE KEY-----");
    int to = pem.indexOf("-----END PRIVATE KEY-----");
    if (from < 0 || to < 0) {
      throw new GeneralSecurityException("the key is not PKCS#8 PEM (BEGIN PRIVATE KEY)");
    }
    byte[] der =
        Base64.getMimeDecoder()
            .decode(pem.substring(from + "-----BEGIN PRIVATE KEY-----".length(), to));
    for (String alg : List.of("EC", "RSA", "Ed25519")) {
      try {
        return KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(der));
      } catch (GeneralSecurityException notThisOne) {
        // the next algorithm
      }
    }
    throw new GeneralSecurityException("the key is neither EC, RSA nor Ed25519");
  }
}
