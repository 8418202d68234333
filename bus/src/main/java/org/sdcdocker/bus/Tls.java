package org.sdcdocker.bus;

import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.TrustOptions;
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
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.spec.PBEParameterSpec;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A fleet member's TLS material: its certificate and key (PEM, the key PKCS#8) and the CA that
 * signs every member's. The byte streams between machines use it: an agent's data plane (logs,
 * attach, exec, archives: one-time tickets over TLS) and a front end's blob endpoint (members only:
 * a client must present a certificate the CA signed). Null in the embedded default, where those
 * streams stay on loopback.
 *
 * <p>The files are read once per process into one key manager and one trust manager that every
 * listener and client shares: Vert.x given the PEM paths would rebuild a key store for each, and a
 * PKCS#12 store's default key protection (10,000 rounds of PBKDF2, twice) cost a starting agent
 * about a second of its restart.
 */
public record Tls(Path cert, Path key, Path ca) {
  private record Material(KeyManagerFactory keys, TrustManagerFactory trust) {}

  private static final Map<Tls, Material> LOADED = new ConcurrentHashMap<>();

  /**
   * A server's options over TLS; with {@code members}, a client must show a member's certificate.
   */
  public HttpServerOptions server(HttpServerOptions o, boolean members) {
    o.setSsl(true).setKeyCertOptions(keyCert());
    if (members) {
      o.setTrustOptions(trust()).setClientAuth(ClientAuth.REQUIRED);
    }
    return o;
  }

  /**
   * A Vert.x client's options: it trusts only servers the CA signed (their address checked against
   * the certificate) and shows this member's certificate; {@code https} URLs use them.
   */
  public HttpClientOptions client(HttpClientOptions o) {
    return o.setTrustOptions(trust()).setKeyCertOptions(keyCert()).setVerifyHost(true);
  }

  /** This member's certificate and key, for Vert.x (the event bus, servers, clients). */
  public KeyCertOptions keyCert() {
    return KeyCertOptions.wrap(material().keys());
  }

  /** The CA as the only one trusted, for Vert.x. */
  public TrustOptions trust() {
    return TrustOptions.wrap(material().trust());
  }

  /** The same for the JDK's HTTP client. */
  public SSLContext sslContext() {
    try {
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(material().keys().getKeyManagers(), material().trust().getTrustManagers(), null);
      return ctx;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot use the member's TLS material: " + e.getMessage());
    }
  }

  /**
   * Reads the files now, once for the process: the launcher calls it before any listener starts, so
   * the reading never runs on an event loop and bad material stops the start with its reason.
   */
  public void load() {
    material();
  }

  private Material material() {
    return LOADED.computeIfAbsent(this, Tls::read);
  }

  private Material read() {
    try {
      CertificateFactory x509 = CertificateFactory.getInstance("X.509");
      KeyStore trust = KeyStore.getInstance("PKCS12");
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
      KeyStore keys = KeyStore.getInstance("PKCS12");
      keys.load(null, null);
      // the store lives in memory only and the key was read from a plain PEM file: one round of
      // key protection hides nothing less than ten thousand would
      char[] password = "in-memory".toCharArray();
      keys.setEntry(
          "member",
          new KeyStore.PrivateKeyEntry(privateKey(), chain.toArray(Certificate[]::new)),
          new KeyStore.PasswordProtection(
              password, "PBEWithHmacSHA256AndAES_256", new PBEParameterSpec(new byte[16], 1)));
      KeyManagerFactory kmf =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(keys, password);
      return new Material(kmf, tmf);
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
