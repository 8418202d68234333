package org.sdcdocker.frontend.http;

import io.netty.channel.ChannelOption;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.impl.ConnectionBase;
import java.lang.reflect.Field;

/**
 * Docker hijacks POST requests (attach, exec start) with {@code Upgrade: tcp}; Vert.x turns only
 * GET and CONNECT requests into TCP sockets. Before routing, such a POST is presented as a GET that
 * carries its original method in a header, so its route can hijack the connection, and the
 * connection may be half-closed by the client. This reaches into Vert.x's HTTP/1 request (its
 * method field) and Netty channel; the end-to-end attach tests guard it across upgrades.
 */
public final class HijackablePost {
  /** Set on a request that arrived as a POST with {@code Upgrade: tcp}. */
  static final String ORIGINAL_METHOD = "X-Sdc-Original-Method";

  private HijackablePost() {}

  /** Marks a hijacking POST; other requests pass unchanged. */
  public static HttpServerRequest mark(HttpServerRequest req) {
    if (req.method() != HttpMethod.POST || !"tcp".equalsIgnoreCase(req.getHeader("Upgrade"))) {
      return req;
    }
    try {
      Field f = req.getClass().getDeclaredField("method");
      f.setAccessible(true);
      f.set(req, HttpMethod.GET);
      req.headers().set(ORIGINAL_METHOD, "POST");
      allowHalfClosure(req);
    } catch (ReflectiveOperationException | RuntimeException e) {
      // Not an HTTP/1 request of the expected shape: leave it; the route answers without a hijack.
    }
    return req;
  }

  /**
   * A hijacking client closes its writing side when it has no stdin to send, and keeps reading: the
   * connection must stay open for output after the client's FIN. Set before the 101 goes out.
   */
  private static void allowHalfClosure(HttpServerRequest req) {
    if (req.connection() instanceof ConnectionBase base) {
      base.channel().config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
    }
  }
}
