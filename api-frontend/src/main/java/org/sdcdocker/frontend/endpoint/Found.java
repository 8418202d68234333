package org.sdcdocker.frontend.endpoint;

import io.vertx.ext.web.RoutingContext;
import org.sdcdocker.frontend.cluster.Containers;
import org.sdcdocker.protocol.agent.ZoneRecord;

/**
 * For the streaming handlers, which answer by hand: the request's container, or the request failed.
 */
final class Found {
  private Found() {}

  /** The container the path names; null once the request has been failed (404 and the like). */
  static ZoneRecord container(RoutingContext ctx, Containers backend) {
    try {
      return backend.get(Accounts.of(ctx), ctx.pathParam("id"));
    } catch (RuntimeException e) {
      ctx.fail(e);
      return null;
    }
  }
}
