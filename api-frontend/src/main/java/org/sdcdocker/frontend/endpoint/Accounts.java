package org.sdcdocker.frontend.endpoint;

import io.vertx.ext.web.RoutingContext;

/** The account a request acts for. Without TLS client certificates, the embedded default's. */
public final class Accounts {
  /** The account of a request that came without a certificate. */
  public static final String DEFAULT = "default";

  /** The routing-context key a TLS handler sets. */
  public static final String KEY = "account";

  private Accounts() {}

  public static String of(RoutingContext ctx) {
    String a = ctx.get(KEY);
    return a == null ? DEFAULT : a;
  }
}
