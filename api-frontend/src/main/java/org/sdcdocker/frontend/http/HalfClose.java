package org.sdcdocker.frontend.http;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.ssl.SslCloseCompletionEvent;
import io.netty.handler.ssl.SslHandler;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.impl.ConnectionBase;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The end of a hijacked client's input while its output goes on (the CLI closes its writing side at
 * the end of stdin). Vert.x has no event for it; Netty has two: over TCP a FIN, once half-closure
 * is allowed (see {@link HijackablePost}); over TLS the docker CLI's close_notify (Go's {@code
 * tls.Conn.CloseWrite}), which TLS 1.3 lets the server answer on, and which only a handler after
 * the TLS one sees.
 */
public final class HalfClose {
  private HalfClose() {}

  /** Calls {@code onEnd} once when the peer has shut its writing side down. */
  public static void onInputShutdown(NetSocket socket, Runnable onEnd) {
    if (!(socket instanceof ConnectionBase base)) {
      return;
    }
    AtomicBoolean ended = new AtomicBoolean();
    ChannelPipeline p = base.channel().pipeline();
    p.addFirst("sdc-input-shutdown", listener(ChannelInputShutdownEvent.class, ended, onEnd));
    ChannelHandlerContext tls = p.context(SslHandler.class);
    if (tls != null) {
      p.addAfter(
          tls.name(),
          "sdc-tls-close-notify",
          listener(SslCloseCompletionEvent.class, ended, onEnd));
    }
  }

  private static ChannelHandler listener(Class<?> kind, AtomicBoolean ended, Runnable onEnd) {
    return new ChannelInboundHandlerAdapter() {
      @Override
      public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (kind.isInstance(evt) && ended.compareAndSet(false, true)) {
          onEnd.run();
        }
        ctx.fireUserEventTriggered(evt);
      }
    };
  }
}
