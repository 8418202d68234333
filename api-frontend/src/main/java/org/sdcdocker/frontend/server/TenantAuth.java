package org.sdcdocker.frontend.server;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Set;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.sdcdocker.frontend.account.AccountStore;
import org.sdcdocker.frontend.account.Authenticator;
import org.sdcdocker.frontend.endpoint.Accounts;
import org.sdcdocker.protocol.DockerException;

/**
 * The first handler of every request: on a TLS listener the client's certificate is its account (or
 * the request ends with 401/403), and an account not approved for provisioning may not make
 * anything (create, pull, import, build, load, commit); elsewhere (unix sockets, clear loopback)
 * the request acts as the local account.
 */
final class TenantAuth implements Handler<RoutingContext> {
  /** The requests that provision: the original gated create, pull and build; we add the rest. */
  private static final Set<String> PROVISIONING =
      Set.of("/containers/create", "/images/create", "/build", "/images/load", "/commit");

  private final Authenticator authenticator;
  private final AccountStore accounts;

  TenantAuth(Authenticator authenticator, AccountStore accounts) {
    this.authenticator = authenticator;
    this.accounts = accounts;
  }

  @Override
  public void handle(RoutingContext ctx) {
    HttpServerRequest req = ctx.request();
    if (!req.isSSL()) {
      ctx.next();
      return;
    }
    String login;
    try {
      login = authenticator.login(leaf(req));
    } catch (DockerException e) {
      ctx.fail(e);
      return;
    }
    ctx.put(Accounts.KEY, login);
    if (req.method() == HttpMethod.POST
        && PROVISIONING.contains(unversioned(req.path()))
        && !accounts.get(login).approved()) {
      ctx.fail(
          DockerException.forbidden("%s does not have permission to pull or provision", login));
      return;
    }
    ctx.next();
  }

  /** The client's certificate, or null when it sent none. */
  static X509Certificate leaf(HttpServerRequest req) {
    try {
      List<Certificate> chain = req.connection().peerCertificates();
      return chain == null || chain.isEmpty() || !(chain.get(0) instanceof X509Certificate c)
          ? null
          : c;
    } catch (SSLPeerUnverifiedException none) {
      return null;
    }
  }

  private static String unversioned(String path) {
    if (path.matches("/v[0-9]+\\.[0-9]+/.*")) {
      return path.substring(path.indexOf('/', 1));
    }
    return path;
  }
}
