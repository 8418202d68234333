package org.sdcdocker.frontend.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import org.sdcdocker.frontend.account.AccountStore;
import org.sdcdocker.frontend.account.Certificates;
import org.sdcdocker.frontend.account.SshKey;
import org.sdcdocker.frontend.cluster.Containers;
import org.sdcdocker.frontend.cluster.NetworkBackend;
import org.sdcdocker.frontend.cluster.VolumeBackend;
import org.sdcdocker.frontend.http.Http;
import org.sdcdocker.frontend.image.ImageStore;
import org.sdcdocker.protocol.DockerException;
import org.sdcdocker.protocol.Json;
import org.sdcdocker.protocol.agent.NetworkRecords.NetworkUse;
import org.sdcdocker.protocol.agent.VolumeRecords.VolumeUse;

/**
 * The admin API's accounts, keys and certificates ({@code sdc-dockeradm account|key|cert|tls}):
 * accounts added, approved for provisioning or not, disabled or enabled, removed while they own
 * nothing; OpenSSH keys registered and removed; a client certificate issued by the server's CA (its
 * key registered on the account as {@code cert-<serial>}, so that {@code key rm} revokes it); the
 * API's TLS material reloaded.
 */
final class AccountsAdmin {
  private final Vertx vertx;
  private final AccountStore accounts;
  private final ApiTls tls;
  private final Owned owned;
  private final Supplier<Future<Void>> reload;

  /** Where an account's objects are: what {@code account rm} asks before it removes one. */
  record Owned(
      ImageStore images, Containers containers, NetworkBackend networks, VolumeBackend volumes) {
    /** What the account owns, as words ("2 container(s)"), or nothing. */
    Future<List<String>> of(String login) {
      Future<List<NetworkUse>> nets = networks.list(login);
      Future<List<VolumeUse>> vols = volumes.list(login);
      return Future.all(nets, vols)
          .map(
              all -> {
                List<String> out = new ArrayList<>();
                count(out, containers.list(login).size(), "container(s)");
                count(out, images.list(login).size(), "image(s)");
                count(
                    out,
                    (int)
                        nets.result().stream()
                            .filter(n -> login.equals(n.network().owner()) && !n.network().fabric())
                            .count(),
                    "network(s)");
                count(out, vols.result().size(), "volume(s)");
                return out;
              });
    }

    /**
     * Removes everything the account owns: its containers (forced, with their anonymous volumes),
     * then its networks and volumes, then its images and tags (blobs no one else uses go too).
     */
    Future<Void> purge(Vertx vertx, String login) {
      List<Future<Void>> gone =
          containers.list(login).stream()
              .map(c -> containers.remove(login, c.spec().id(), true, true))
              .toList();
      return Future.join(gone)
          .transform(ar -> networks.list(login))
          .compose(
              nets ->
                  Future.join(
                      nets.stream()
                          .filter(n -> login.equals(n.network().owner()) && !n.network().fabric())
                          .map(n -> networks.remove(login, n.network()))
                          .toList()))
          .transform(ar -> volumes.list(login))
          .compose(
              vols ->
                  Future.join(
                      vols.stream().map(v -> volumes.remove(login, v.volume().name())).toList()))
          .transform(
              ar ->
                  vertx.executeBlocking(
                      () -> {
                        for (var tagged : images.tagsByImage(login).values()) {
                          for (String t : tagged) {
                            images.untag(login, t);
                          }
                        }
                        for (var img : images.list(login)) {
                          images.disown(login, img.id());
                          if (!images.held(img.id())) {
                            images.delete(img);
                          }
                        }
                        return null;
                      }));
    }

    private static void count(List<String> out, int n, String what) {
      if (n > 0) {
        out.add(n + " " + what);
      }
    }
  }

  AccountsAdmin(
      Vertx vertx, AccountStore accounts, ApiTls tls, Owned owned, Supplier<Future<Void>> reload) {
    this.vertx = vertx;
    this.accounts = accounts;
    this.tls = tls;
    this.owned = owned;
    this.reload = reload;
  }

  void mount(Router r) {
    r.route("/accounts*").handler(BodyHandler.create().setBodyLimit(64 << 10));
    r.get("/accounts").handler(Http.json(200, ctx -> done(() -> accounts.list())));
    r.post("/accounts")
        .handler(
            Http.json(
                201,
                ctx -> {
                  JsonNode b = body(ctx);
                  String login = b.path("Login").asText(null);
                  return changed(
                      login,
                      () ->
                          accounts.add(
                              login,
                              b.path("Email").asText(""),
                              b.path("Approved").asBoolean(false)));
                }));
    r.get("/accounts/:login")
        .handler(Http.json(200, ctx -> done(() -> accounts.get(ctx.pathParam("login")))));
    r.delete("/accounts/:login")
        .handler(
            Http.json(
                200,
                ctx -> {
                  String login = ctx.pathParam("login");
                  accounts.get(login);
                  boolean purge = "1".equals(ctx.queryParams().get("purge"));
                  return (purge ? owned.purge(vertx, login) : Future.<Void>succeededFuture())
                      .compose(v -> owned.of(login))
                      .compose(
                          things ->
                              !things.isEmpty()
                                  ? Future.failedFuture(
                                      DockerException.conflict(
                                          "account %s owns %s: remove them first",
                                          login, String.join(", ", things)))
                                  : changed(
                                      login,
                                      () -> {
                                        accounts.remove(login);
                                        return Map.of("Removed", login);
                                      }));
                }));
    r.get("/accounts/:login/keys")
        .handler(Http.json(200, ctx -> done(() -> accounts.get(ctx.pathParam("login")).keys())));
    r.post("/accounts/:login/keys")
        .handler(
            Http.json(
                201,
                ctx -> {
                  SshKey key = SshKey.parse(ctx.body().asString());
                  String login = ctx.pathParam("login");
                  return changed(
                      login, () -> accounts.addKey(login, key, ctx.queryParams().get("name")));
                }));
    r.delete("/accounts/:login/keys/:which")
        .handler(
            Http.json(
                200,
                ctx ->
                    changed(
                        ctx.pathParam("login"),
                        () -> accounts.removeKey(ctx.pathParam("login"), ctx.pathParam("which")))));
    r.post("/accounts/:login/certificates")
        .handler(Http.json(201, ctx -> issue(ctx.pathParam("login"), days(ctx))));
    r.postWithRegex("/accounts/(?<login>[^/]+)/(?<change>approve|unapprove|disable|enable)")
        .handler(
            Http.json(
                200,
                ctx -> {
                  String login = ctx.pathParam("login");
                  return switch (ctx.pathParam("change")) {
                    case "approve" -> changed(login, () -> accounts.setApproved(login, true));
                    case "unapprove" -> changed(login, () -> accounts.setApproved(login, false));
                    case "disable" -> changed(login, () -> accounts.setDisabled(login, true));
                    case "enable" -> changed(login, () -> accounts.setDisabled(login, false));
                    default -> Future.failedFuture(DockerException.notFound("page not found"));
                  };
                }));
    r.post("/tls/reload")
        .handler(Http.json(200, ctx -> reload.get().map(v -> Map.of("Reloaded", true))));
  }

  /**
   * A new key and a client certificate for it, signed by the server's CA, the key registered on the
   * account: what {@code cert issue} writes to the user's DOCKER_CERT_PATH.
   */
  private Future<Map<String, Object>> issue(String login, int days) {
    if (tls == null) {
      return Future.failedFuture(
          DockerException.invalid("the API's listeners do not use TLS (no --tlsverify)"));
    }
    return changed(
        login,
        () -> {
          accounts.get(login);
          PrivateKey caKey = tls.caKey();
          if (caKey == null || tls.ca() == null) {
            throw DockerException.invalid(
                "this server has no CA key (its CA came from --tlscacert): issue certificates"
                    + " with that CA");
          }
          KeyPair kp = Certificates.newKey();
          X509Certificate cert =
              Certificates.issue(
                  tls.ca(), caKey, login, kp.getPublic(), Duration.ofDays(days), false, List.of());
          String name = "cert-" + cert.getSerialNumber().toString(16);
          accounts.addKey(login, SshKey.of(kp.getPublic()), name);
          Map<String, Object> out = new LinkedHashMap<>();
          out.put("Key", name);
          out.put("NotAfter", cert.getNotAfter().toInstant().toString());
          out.put("CaPem", Certificates.pem(tls.ca()));
          out.put("CertPem", Certificates.pem(cert));
          out.put("KeyPem", Certificates.pem(kp.getPrivate()));
          return out;
        });
  }

  private static int days(RoutingContext ctx) {
    String d = ctx.queryParams().get("days");
    try {
      int n = d == null ? 365 : Integer.parseInt(d);
      if (n < 1 || n > 3650) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw DockerException.invalid("invalid days %s: 1 to 3650", d);
    }
  }

  private static JsonNode body(RoutingContext ctx) {
    try {
      return Json.MAPPER.readTree(ctx.body().asString());
    } catch (Exception e) {
      throw DockerException.invalid("the body is not JSON");
    }
  }

  private static <T> Future<T> done(Callable<T> c) {
    try {
      return Future.succeededFuture(c.call());
    } catch (Exception e) {
      return Future.failedFuture(e);
    }
  }

  private <T> Future<T> blocking(Callable<T> c) {
    return vertx.executeBlocking(c);
  }

  /**
   * A change of an account, answered once every front end of the fleet has it: a tenant's next
   * request, through any front end, finds the account as the operator left it.
   */
  private <T> Future<T> changed(String login, Callable<T> c) {
    return blocking(c)
        .compose(
            r ->
                accounts
                    .shared(login)
                    .transform(
                        ar ->
                            ar.succeeded()
                                ? Future.succeededFuture(r)
                                : Future.failedFuture(
                                    DockerException.unavailable(
                                        "account %s was changed on this front end, but the"
                                            + " fleet's map could not take the change; the other"
                                            + " front ends get it when this one restarts",
                                        login))));
  }
}
