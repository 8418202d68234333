package org.sdcdocker.frontend.account;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import org.sdcdocker.protocol.DockerException;
import org.sdcdocker.protocol.ErrorKind;

/**
 * Which account a client certificate is, as the original decided it: the certificate's CN is the
 * login; the certificate's public key must be one of that account's registered keys; and it is
 * signed by that key (self-signed, as {@code openssl req -x509} from the user's SSH key makes it)
 * or by the server's CA. Anything else is 401 {@code Unauthorized} (the same text whatever the
 * reason, so that nothing about accounts leaks), an expired certificate 401 {@code Client
 * certificate expired}, a disabled account 403 {@code Forbidden}. Certificates already checked are
 * remembered by their digest until an account changes.
 */
public final class Authenticator {
  private final AccountStore accounts;
  private final Supplier<X509Certificate> ca;
  private final Map<String, String> checked = new ConcurrentHashMap<>();

  /** {@code ca}: the CA whose certificates are accepted (null: only self-signed ones). */
  public Authenticator(AccountStore accounts, Supplier<X509Certificate> ca) {
    this.accounts = accounts;
    this.ca = ca;
    accounts.onChange(checked::clear);
  }

  /** The login of the account a client's certificate (null: none sent) stands for. */
  public String login(X509Certificate leaf) {
    if (leaf == null) {
      throw unauthorized();
    }
    if (leaf.getNotAfter().getTime() < System.currentTimeMillis()) {
      throw new DockerException(ErrorKind.UNAUTHORIZED, "Client certificate expired");
    }
    if (leaf.getNotBefore().getTime() > System.currentTimeMillis()) {
      throw unauthorized();
    }
    String digest = digest(leaf);
    String login = checked.get(digest);
    if (login == null) {
      login = check(leaf);
      checked.put(digest, login);
    }
    Account a = accounts.find(login);
    if (a == null) {
      throw unauthorized();
    }
    if (a.disabled()) {
      throw DockerException.forbidden("Forbidden");
    }
    return login;
  }

  private String check(X509Certificate leaf) {
    String login = commonName(leaf);
    Account a = login == null || AccountStore.LOCAL.equals(login) ? null : accounts.find(login);
    if (a == null) {
      throw unauthorized();
    }
    SshKey key;
    try {
      key = SshKey.of(leaf.getPublicKey());
    } catch (DockerException unknownKind) {
      throw unauthorized();
    }
    if (a.keyBySha256(key.sha256()) == null) {
      throw unauthorized();
    }
    if (!signedBy(leaf, leaf) && !(ca.get() != null && signedBy(leaf, ca.get()))) {
      throw unauthorized();
    }
    return login;
  }

  private static boolean signedBy(X509Certificate leaf, X509Certificate issuer) {
    if (!leaf.getIssuerX500Principal().equals(issuer.getSubjectX500Principal())) {
      return false;
    }
    try {
      leaf.verify(issuer.getPublicKey());
      return true;
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  /** The subject's CN, or null. */
  static String commonName(X509Certificate c) {
    try {
      for (Rdn r : new LdapName(c.getSubjectX500Principal().getName()).getRdns()) {
        if (r.getType().equalsIgnoreCase("CN")) {
          return r.getValue().toString();
        }
      }
    } catch (InvalidNameException e) {
      return null;
    }
    return null;
  }

  private static String digest(X509Certificate c) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(c.getEncoded()));
    } catch (GeneralSecurityException e) {
      throw unauthorized();
    }
  }

  private static DockerException unauthorized() {
    return new DockerException(ErrorKind.UNAUTHORIZED, "Unauthorized");
  }
}
