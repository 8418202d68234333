package org.sdcdocker.frontend.server;

import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.TrustOptions;
import java.io.IOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.net.ssl.ManagerFactoryParameters;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.TrustManagerFactorySpi;
import javax.net.ssl.X509ExtendedTrustManager;
import org.sdcdocker.frontend.account.Certificates;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TLS of the API's tcp:// listeners (dockerd's {@code --tlsverify}, {@code --tlscacert}, {@code
 * --tlscert}, {@code --tlskey}). The server asks every client for a certificate but lets the
 * handshake through without one, and lets the authenticator decide, so that a refusal is an HTTP
 * 401 the docker CLI prints, not a TLS alert it cannot explain; it names no acceptable CA (Go's
 * client sends its certificate only then). Without certificate files the server makes its own CA
 * and server certificate under its data root, once, and says where they are; the CA's key then
 * stays there for {@code sdc-dockeradm cert issue}.
 */
public final class ApiTls {
  private static final Logger LOG = LoggerFactory.getLogger(ApiTls.class);

  /**
   * A factory of the one trust manager (Vert.x's wrapper of a bare trust manager needs SLF4J, which
   * the server does not ship).
   */
  private static final TrustManagerFactory ANY_CLIENT_CERTIFICATE =
      new TrustManagerFactory(
          new TrustManagerFactorySpi() {
            @Override
            protected void engineInit(KeyStore ks) {}

            @Override
            protected void engineInit(ManagerFactoryParameters spec) {}

            @Override
            protected TrustManager[] engineGetTrustManagers() {
              return new TrustManager[] {new AnyClientCertificate()};
            }
          },
          null,
          "sdc-any-client-certificate") {};

  /**
   * The operator's choices: files given (null: the data root's own). With the CA's key the server
   * signs its own certificate and clients' with the given CA.
   */
  public record Options(Path caCert, Path caKey, Path cert, Path key) {}

  private final Path caCert;
  private final Path cert;
  private final Path key;
  private final Path caKey;
  private volatile X509Certificate ca;

  private ApiTls(Path caCert, Path cert, Path key, Path caKey) throws IOException {
    this.caCert = caCert;
    this.cert = cert;
    this.key = key;
    this.caKey = caKey;
    reloadCa();
  }

  /**
   * The material for {@code hosts}: the operator's files, or those under {@code dir} (made when
   * missing, with the hosts' names and addresses, localhost and this machine's addresses as
   * subjectAltNames). Blocking.
   */
  public static ApiTls prepare(Options o, Path dir, List<String> hosts) throws IOException {
    if (o.caKey() != null) {
      if (o.caCert() == null) {
        throw new IOException("--tlscakey goes with --tlscacert");
      }
      for (Path p : new Path[] {o.caCert(), o.caKey()}) {
        if (!Files.isReadable(p)) {
          throw new IOException("cannot read " + p);
        }
      }
      if (!Certificates.matches(
          Certificates.readKey(o.caKey()),
          Certificates.readCertificate(o.caCert()).getPublicKey())) {
        throw new IOException(o.caKey() + " is not the key of " + o.caCert());
      }
    }
    if (o.cert() != null || o.key() != null) {
      if (o.cert() == null || o.key() == null) {
        throw new IOException("--tlscert and --tlskey go together");
      }
      for (Path p : new Path[] {o.cert(), o.key()}) {
        if (!Files.isReadable(p)) {
          throw new IOException("cannot read " + p);
        }
      }
      Path ca = o.caCert() != null ? o.caCert() : dir.resolve("ca.pem");
      Path caKey = dir.resolve("ca-key.pem");
      return new ApiTls(
          Files.exists(ca) ? ca : null,
          o.cert(),
          o.key(),
          o.caKey() != null ? o.caKey() : Files.exists(caKey) && o.caCert() == null ? caKey : null);
    }
    Files.createDirectories(dir);
    boolean given = o.caKey() != null;
    Path ca = given ? o.caCert() : dir.resolve("ca.pem");
    Path caKey = given ? o.caKey() : dir.resolve("ca-key.pem");
    Path cert = dir.resolve("server-cert.pem");
    Path key = dir.resolve("server-key.pem");
    if (!given && (!Files.exists(ca) || !Files.exists(caKey))) {
      KeyPair kp = Certificates.newKey();
      X509Certificate c = Certificates.ca(kp, "sdc-docker CA " + hostname(), Duration.ofDays(3650));
      writePrivate(caKey, Certificates.pem(kp.getPrivate()));
      Files.writeString(ca, Certificates.pem(c));
      Files.deleteIfExists(cert); // a server certificate of another CA
      LOG.info("made a CA for the API's TLS: {} (its key beside it)", ca);
    }
    if (!Files.exists(cert) || !Files.exists(key) || !signedBy(cert, ca)) {
      KeyPair kp = Certificates.newKey();
      X509Certificate c =
          Certificates.issue(
              Certificates.readCertificate(ca),
              Certificates.readKey(caKey),
              hostname(),
              kp.getPublic(),
              Duration.ofDays(825),
              true,
              names(hosts));
      writePrivate(key, Certificates.pem(kp.getPrivate()));
      Files.writeString(cert, Certificates.pem(c));
      LOG.info("made the API's server certificate: {} (signed by {})", cert, ca);
    }
    Path clientCa = o.caCert() != null ? o.caCert() : ca;
    return new ApiTls(clientCa, cert, key, given || o.caCert() == null ? caKey : null);
  }

  /** Whether the certificate in {@code cert} is signed by the CA in {@code ca}. */
  private static boolean signedBy(Path cert, Path ca) {
    try {
      Certificates.readCertificate(cert).verify(Certificates.readCertificate(ca).getPublicKey());
      return true;
    } catch (IOException | GeneralSecurityException e) {
      return false; // another CA's (the operator gave a new one): made anew
    }
  }

  /** The options of a TLS listener: this material, client certificates asked for, not required. */
  public HttpServerOptions apply(HttpServerOptions o) {
    return o.setSsl(true)
        .setUseAlpn(false)
        .setKeyCertOptions(
            new PemKeyCertOptions().setCertPath(cert.toString()).setKeyPath(key.toString()))
        .setTrustOptions(TrustOptions.wrap(ANY_CLIENT_CERTIFICATE))
        .setClientAuth(ClientAuth.REQUEST);
  }

  /** The CA whose client certificates are accepted (null: none; only self-signed ones). */
  public X509Certificate ca() {
    return ca;
  }

  /** The CA's certificate file (served at GET /ca.pem), or null. */
  public Path caFile() {
    return caCert;
  }

  /**
   * The CA's key, when this server made the CA (null otherwise: clients' certificates come from
   * elsewhere).
   */
  public PrivateKey caKey() throws IOException {
    return caKey == null ? null : Certificates.readKey(caKey);
  }

  /**
   * What {@code sdc-dockeradm status} shows of this material: each certificate's subject and how
   * long it is valid. Blocking (reads the files as they are now).
   */
  public Map<String, Object> describe() throws IOException {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("ServerCertificate", validity(Certificates.readCertificate(cert), cert));
    out.put(
        "ClientCa", caCert == null ? null : validity(Certificates.readCertificate(caCert), caCert));
    out.put("IssuesCertificates", caKey != null);
    return out;
  }

  /** A certificate's file, subject and end of validity, as sdc-dockeradm status shows it. */
  static Map<String, Object> validity(X509Certificate c, Path file) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("File", file.toString());
    m.put("Subject", c.getSubjectX500Principal().getName());
    m.put("NotAfter", c.getNotAfter().toInstant().toString());
    m.put("DaysLeft", Duration.between(Instant.now(), c.getNotAfter().toInstant()).toDays());
    return m;
  }

  /** Reads the CA's certificate again (the operator replaced it). Blocking. */
  public void reloadCa() throws IOException {
    ca = caCert == null ? null : Certificates.readCertificate(caCert);
  }

  private static void writePrivate(Path f, String pem) throws IOException {
    Files.deleteIfExists(f);
    Files.createFile(
        f, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(f, pem);
  }

  private static String hostname() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "localhost";
    }
  }

  /** What the server certificate names: the hosts', localhost, this machine's addresses. */
  private static List<String> names(List<String> hosts) {
    Set<String> out = new LinkedHashSet<>(List.of("localhost", "127.0.0.1", "::1", hostname()));
    for (String h : hosts) {
      if (h.startsWith("tcp://")) {
        String host = URI.create(h).getHost();
        if (host != null && !host.isEmpty()) {
          out.add(host.startsWith("[") ? host.substring(1, host.length() - 1) : host);
        }
      }
    }
    try {
      for (NetworkInterface i : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        for (InetAddress a : Collections.list(i.getInetAddresses())) {
          if (!a.isLinkLocalAddress()) {
            out.add(a.getHostAddress().replaceAll("%.*", ""));
          }
        }
      }
    } catch (IOException e) {
      // the names above still hold
    }
    out.remove("0.0.0.0");
    out.remove("::");
    return new ArrayList<>(out);
  }

  /**
   * Takes any client certificate (the authenticator checks it against the accounts) and names no
   * acceptable CA.
   */
  static final class AnyClientCertificate extends X509ExtendedTrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket s) {}

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine e) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      throw new CertificateException("a server's certificate is not trusted");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket s)
        throws CertificateException {
      checkServerTrusted(chain, authType);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine e)
        throws CertificateException {
      checkServerTrusted(chain, authType);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
