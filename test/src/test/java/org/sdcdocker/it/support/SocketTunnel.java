package org.sdcdocker.it.support;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code ssh -L PORT:/path/admin.sock} gives an operator, on this machine: a loopback TCP port
 * whose each connection is carried to a unix socket, so a browser reaches the root-only admin
 * socket's dashboard. Closing it ends the listener and every connection.
 */
public final class SocketTunnel implements AutoCloseable {
  private final ServerSocketChannel server;
  private final Path socket;
  private final List<SocketChannel> open = new ArrayList<>();
  private final Thread acceptor;

  public SocketTunnel(Path socket) throws IOException {
    this.socket = socket;
    server = ServerSocketChannel.open();
    server.bind(new InetSocketAddress("127.0.0.1", 0));
    acceptor = new Thread(this::accept, "tunnel-" + socket.getFileName());
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** The loopback URL of the tunnel's port. */
  public String url() throws IOException {
    return "http://127.0.0.1:" + ((InetSocketAddress) server.getLocalAddress()).getPort();
  }

  private void accept() {
    while (server.isOpen()) {
      try {
        SocketChannel tcp = server.accept();
        SocketChannel unix = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
          unix.connect(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
          tcp.close();
          unix.close();
          throw e;
        }
        synchronized (open) {
          open.add(tcp);
          open.add(unix);
        }
        pump(tcp, unix);
        pump(unix, tcp);
      } catch (IOException e) {
        // closed, or the socket refused one connection: the next one may go through
      }
    }
  }

  private static void pump(SocketChannel from, SocketChannel to) {
    Thread t =
        new Thread(
            () -> {
              ByteBuffer b = ByteBuffer.allocate(64 * 1024);
              try {
                while (from.read(b) >= 0) {
                  b.flip();
                  while (b.hasRemaining()) {
                    to.write(b);
                  }
                  b.clear();
                }
                to.shutdownOutput();
              } catch (IOException e) {
                // one side went: the other is closed with the tunnel
              }
            },
            "tunnel-pump");
    t.setDaemon(true);
    t.start();
  }

  @Override
  public void close() throws IOException {
    server.close();
    synchronized (open) {
      for (SocketChannel c : open) {
        c.close();
      }
    }
  }
}
