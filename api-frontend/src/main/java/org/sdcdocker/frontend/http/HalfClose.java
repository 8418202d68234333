package org.sdcdocker.frontend.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.impl.ConnectionBase;

/**
 * The end of a hijacked client's input while its output goes on (the CLI closes its writing side at
 * the end of stdin). Vert.x has no event for it; Netty does, once half-closure is allowed (see
 * {@link HijackablePost}).
 */
public final class HalfClose {
  private HalfClose() {}

  /** Calls {@code onEnd} when the peer has shut its writing side down. */
  public static void onInputShutdown(NetSocket socket, Runnable onEnd) {
    if (socket instanceof ConnectionBase base) {
      base.channel()
          .pipeline()
          .addFirst(
              "sdc-input-shutdown",
              new ChannelInboundHandlerAdapter() {
                @Override
                public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                  if (evt instanceof ChannelInputShutdownEvent) {
                    onEnd.run();
                  }
                  ctx.fireUserEventTriggered(evt);
                }
              });
    }
  }
}
