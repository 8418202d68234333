package org.sdcdocker.frontend.account;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The X.509 work of the API's TLS: a CA, the server's certificate and clients' certificates it
 * signs, ECDSA P-256 keys, and PEM in and out (keys as PKCS#8 {@code PRIVATE KEY}, which the docker
 * CLI and Vert.x both read).
 */
public final class Certificates {
  private static final SecureRandom RANDOM = new SecureRandom();

  private Certificates() {}

  /** A fresh ECDSA P-256 key pair. */
  public static KeyPair newKey() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A self-signed CA certificate. */
  public static X509Certificate ca(KeyPair key, String cn, Duration valid) {
    try {
      Instant now = Instant.now();
      X509v3CertificateBuilder b =
          new JcaX509v3CertificateBuilder(
              new X500Name("CN=" + cn),
              serial(),
              Date.from(now.minus(Duration.ofMinutes(5))),
              Date.from(now.plus(valid)),
              new X500Name("CN=" + cn),
              key.getPublic());
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
      b.addExtension(
          Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      b.addExtension(
          Extension.subjectKeyIdentifier,
          false,
          new JcaX509ExtensionUtils().createSubjectKeyIdentifier(key.getPublic()));
      return sign(b, key.getPrivate());
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * A certificate for {@code cn}'s key, signed by the CA: a server's (serverAuth, with the names
   * and addresses as subjectAltNames, which the docker CLI checks) or a client's (clientAuth).
   */
  public static X509Certificate issue(
      X509Certificate ca,
      PrivateKey caKey,
      String cn,
      PublicKey key,
      Duration valid,
      boolean server,
      List<String> names) {
    try {
      Instant now = Instant.now();
      X509v3CertificateBuilder b =
          new JcaX509v3CertificateBuilder(
              ca,
              serial(),
              Date.from(now.minus(Duration.ofMinutes(5))),
              Date.from(now.plus(valid)),
              new javax.security.auth.x500.X500Principal("CN=" + cn),
              key);
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      b.addExtension(
          Extension.keyUsage,
          true,
          new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
      b.addExtension(
          Extension.extendedKeyUsage,
          false,
          new ExtendedKeyUsage(
              server ? KeyPurposeId.id_kp_serverAuth : KeyPurposeId.id_kp_clientAuth));
      b.addExtension(
          Extension.authorityKeyIdentifier,
          false,
          new JcaX509ExtensionUtils().createAuthorityKeyIdentifier(ca));
      if (server && !names.isEmpty()) {
        List<GeneralName> alt = new ArrayList<>();
        for (String n : names) {
          alt.add(
              n.matches("[0-9.]+|.*:.*")
                  ? new GeneralName(
                      GeneralName.iPAddress,
                      new org.bouncycastle.asn1.DEROctetString(
                          InetAddress.getByName(n).getAddress()))
                  : new GeneralName(GeneralName.dNSName, n));
        }
        b.addExtension(
            Extension.subjectAlternativeName,
            false,
            new GeneralNames(alt.toArray(GeneralName[]::new)));
      }
      return sign(b, caKey);
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey key)
      throws GeneralSecurityException {
    try {
      String alg = key.getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
      return new JcaX509CertificateConverter()
          .getCertificate(b.build(new JcaContentSignerBuilder(alg).build(key)));
    } catch (OperatorCreationException e) {
      throw new GeneralSecurityException(e);
    }
  }

  private static BigInteger serial() {
    return new BigInteger(63, RANDOM);
  }

  /** PEM of a certificate or a private key (PKCS#8). */
  /** Whether a private key is the one of a public key (it signs what the public key verifies). */
  public static boolean matches(PrivateKey key, PublicKey pub) {
    String alg =
        switch (key.getAlgorithm()) {
          case "EC", "ECDSA" -> "SHA256withECDSA";
          case "RSA" -> "SHA256withRSA";
          default -> key.getAlgorithm();
        };
    try {
      byte[] data = "sdc-docker: whose key is this".getBytes(StandardCharsets.UTF_8);
      Signature s = Signature.getInstance(alg);
      s.initSign(key);
      s.update(data);
      byte[] sig = s.sign();
      Signature v = Signature.getInstance(alg);
      v.initVerify(pub);
      v.update(data);
      return v.verify(sig);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  public static String pem(Object certOrKey) {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(out)) {
      w.writeObject(certOrKey instanceof PrivateKey k ? new JcaPKCS8Generator(k, null) : certOrKey);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return out.toString();
  }

  /** The first certificate of a PEM file. */
  public static X509Certificate readCertificate(Path file) throws IOException {
    try (var in = Files.newInputStream(file)) {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    } catch (GeneralSecurityException | ClassCastException e) {
      throw new IOException(file + " holds no X.509 certificate");
    }
  }

  /** A private key from PEM (PKCS#8, or OpenSSL's RSA/EC forms). */
  public static PrivateKey readKey(Path file) throws IOException {
    return readKey(new StringReader(Files.readString(file)), file.toString());
  }

  static PrivateKey readKey(Reader pem, String what) throws IOException {
    try (PEMParser p = new PEMParser(pem)) {
      Object o = p.readObject();
      JcaPEMKeyConverter c = new JcaPEMKeyConverter();
      if (o instanceof PEMKeyPair kp) {
        return c.getKeyPair(kp).getPrivate();
      }
      if (o instanceof PrivateKeyInfo info) {
        return c.getPrivateKey(info);
      }
      throw new IOException(what + " holds no unencrypted private key");
    }
  }
}
