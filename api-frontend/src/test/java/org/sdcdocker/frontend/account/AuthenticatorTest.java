package org.sdcdocker.frontend.account;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sdcdocker.protocol.DockerException;
import org.sdcdocker.protocol.ErrorKind;

/** Keys' fingerprints as ssh-keygen prints them, and which certificate is which account. */
class AuthenticatorTest {
  @TempDir Path dir;
  private AccountStore accounts;
  private KeyPair caKeys;
  private X509Certificate ca;
  private Authenticator auth;

  @BeforeEach
  void setUp() throws Exception {
    accounts = AccountStore.load(dir.resolve("accounts"));
    caKeys = Certificates.newKey();
    ca = Certificates.ca(caKeys, "test CA", Duration.ofDays(1));
    auth = new Authenticator(accounts, () -> ca);
    accounts.add("alice", "", true);
    accounts.add("bob", "", true);
  }

  @Test
  void fingerprints_areThoseSshKeygenPrints() {
    // ssh-keygen -l -E sha256|md5 of these two keys
    SshKey ed =
        SshKey.parse(
            "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAICTLxFmazn5k69+p/wiazqT5Aif3n0QEHALc+J5hYgzY"
                + " ann@host");
    assertThat(ed.sha256()).isEqualTo("SHA256:mzcX7EuhpuaQsHRFY7G1CkLQVdW9uL1CIxlm0MaQdGA");
    assertThat(ed.md5()).isEqualTo("20:3a:94:ea:28:70:e1:9c:cd:02:db:da:8f:38:44:10");
    assertThat(ed.comment()).isEqualTo("ann@host");
    SshKey ec =
        SshKey.parse(
            "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBCttOnMm0GWvtGw"
                + "L+xuEXwgGmGQnQLiIOE0mdkumRNKKsxEj7OBuMJ5iPYRoh1Q95kf80kFOACBm8Vk2LkEjP2Y=");
    assertThat(ec.sha256()).isEqualTo("SHA256:mzfn2wTevU0UtzHMS785dnNXqwj76CBLNv1tc5Rab4s");
    assertThat(ec.md5()).isEqualTo("c9:56:70:4e:25:34:1f:b6:2d:53:24:6e:d5:cb:f1:27");
    assertThatThrownBy(() -> SshKey.parse("ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAICTLxFmazn5k69"))
        .hasMessageStartingWith("not an OpenSSH public key");
    assertThatThrownBy(
            () ->
                SshKey.parse(
                    "ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAICTLxFmazn5k69+p/wiazqT5Aif3n0QEHALc+J5hYgzY"))
        .hasMessageContaining("the line says ssh-rsa, the key is ssh-ed25519");
  }

  @Test
  void aSelfSignedCertificateOfARegisteredKey_isItsAccount() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    KeyPair rsa = g.generateKeyPair();
    accounts.addKey("bob", SshKey.of(rsa.getPublic()), "laptop");
    assertThat(auth.login(selfSigned("bob", rsa))).isEqualTo("bob");
    // the same key under another login, and a key no one registered
    assertThatThrownBy(() -> auth.login(selfSigned("alice", rsa))).hasMessage("Unauthorized");
    KeyPair other = g.generateKeyPair();
    assertThatThrownBy(() -> auth.login(selfSigned("bob", other))).hasMessage("Unauthorized");
  }

  @Test
  void aCaSignedCertificate_isItsAccount_whileItsKeyIsRegistered() throws Exception {
    KeyPair k = Certificates.newKey();
    X509Certificate c = issued("alice", k, caKeys, Duration.ofDays(1));
    assertThatThrownBy(() -> auth.login(c)).hasMessage("Unauthorized");
    accounts.addKey("alice", SshKey.of(k.getPublic()), "cert-1");
    assertThat(auth.login(c)).isEqualTo("alice");
    accounts.removeKey("alice", "cert-1"); // revoked: the remembered answer goes too
    assertThatThrownBy(() -> auth.login(c)).hasMessage("Unauthorized");
  }

  @Test
  void expiredForgedUnknownAndDisabled_areRefused() throws Exception {
    KeyPair k = Certificates.newKey();
    accounts.addKey("alice", SshKey.of(k.getPublic()), null);
    DockerException expired =
        org.assertj.core.api.Assertions.catchThrowableOfType(
            DockerException.class,
            () -> auth.login(issued("alice", k, caKeys, Duration.ofMinutes(-1))));
    assertThat(expired.kind()).isEqualTo(ErrorKind.UNAUTHORIZED);
    assertThat(expired).hasMessage("Client certificate expired");
    // named as issued by the CA, signed by another key
    assertThatThrownBy(
            () -> auth.login(issued("alice", k, Certificates.newKey(), Duration.ofDays(1))))
        .hasMessage("Unauthorized");
    assertThatThrownBy(() -> auth.login(issued("zed", k, caKeys, Duration.ofDays(1))))
        .hasMessage("Unauthorized");
    assertThatThrownBy(() -> auth.login(issued(AccountStore.LOCAL, k, caKeys, Duration.ofDays(1))))
        .hasMessage("Unauthorized");
    assertThatThrownBy(() -> auth.login(null)).hasMessage("Unauthorized");
    X509Certificate ok = issued("alice", k, caKeys, Duration.ofDays(1));
    assertThat(auth.login(ok)).isEqualTo("alice");
    accounts.setDisabled("alice", true);
    DockerException forbidden =
        org.assertj.core.api.Assertions.catchThrowableOfType(
            DockerException.class, () -> auth.login(ok));
    assertThat(forbidden.kind()).isEqualTo(ErrorKind.FORBIDDEN);
    assertThat(forbidden).hasMessage("Forbidden");
  }

  @Test
  void accounts_persist_andTheLocalOneCannotBeChanged() throws Exception {
    accounts.setApproved("bob", false);
    AccountStore again = AccountStore.load(dir.resolve("accounts"));
    assertThat(again.list()).extracting(Account::login).containsExactly("alice", "bob");
    assertThat(again.get("bob").approved()).isFalse();
    assertThat(again.get(AccountStore.LOCAL).approved()).isTrue();
    assertThatThrownBy(() -> again.setDisabled(AccountStore.LOCAL, true))
        .hasMessageContaining("cannot be changed");
    assertThatThrownBy(() -> again.add("alice", "", false)).hasMessage("account alice exists");
    assertThatThrownBy(() -> again.add("A!", "", false)).hasMessageStartingWith("invalid login A!");
  }

  @Test
  void versionsFromOtherFrontEnds_onlyNewerOnes_andRemovalsStay() throws Exception {
    AccountStore other = AccountStore.load(dir.resolve("other"));
    Account bob = accounts.get("bob");
    assertThat(other.apply(bob)).isTrue();
    assertThat(other.apply(bob)).isFalse(); // the same version again
    Account approved = accounts.setApproved("bob", false);
    assertThat(approved.updated()).isGreaterThan(bob.updated());
    assertThat(other.apply(approved)).isTrue();
    assertThat(other.get("bob").approved()).isFalse();
    assertThat(other.apply(bob)).isFalse(); // an older one loses
    accounts.remove("bob");
    Account tomb =
        accounts.versions().stream().filter(a -> a.login().equals("bob")).findFirst().orElseThrow();
    assertThat(tomb.removed()).isTrue();
    assertThat(other.apply(tomb)).isTrue();
    assertThat(other.find("bob")).isNull();
    assertThat(other.apply(approved)).isFalse(); // a stale copy brings nothing back
    assertThat(AccountStore.load(dir.resolve("other")).find("bob")).isNull();
    assertThat(accounts.add("bob", "", true).updated()).isGreaterThan(tomb.updated());
  }

  private X509Certificate issued(String cn, KeyPair key, KeyPair signer, Duration valid) {
    return Certificates.issue(
        ca, signer.getPrivate(), cn, key.getPublic(), valid, false, List.of());
  }

  /** As {@code openssl req -x509 -key id_rsa -subj /CN=login} makes it. */
  private static X509Certificate selfSigned(String cn, KeyPair k) throws Exception {
    return new org.bouncycastle.cert.jcajce.JcaX509CertificateConverter()
        .getCertificate(
            new org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder(
                    new org.bouncycastle.asn1.x500.X500Name("CN=" + cn),
                    java.math.BigInteger.ONE,
                    new java.util.Date(System.currentTimeMillis() - 60_000),
                    new java.util.Date(System.currentTimeMillis() + 86_400_000),
                    new org.bouncycastle.asn1.x500.X500Name("CN=" + cn),
                    k.getPublic())
                .build(
                    new org.bouncycastle.operator.jcajce.JcaContentSignerBuilder("SHA256withRSA")
                        .build(k.getPrivate())));
  }
}
