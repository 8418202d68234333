package org.sdcdocker.launcher;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import jnr.ffi.LibraryLoader;
import jnr.ffi.annotations.In;

/**
 * Tells a service manager that the daemon serves, once it does: systemd through {@code
 * NOTIFY_SOCKET} ({@code Type=notify}: one datagram, {@code READY=1}, on a unix socket whose path
 * systemd passes; a leading {@code @} names an abstract socket; bin/sdc-docker passes it as {@code
 * SDC_DOCKER_NOTIFY_SOCKET}, so that runc, a child, never sees it), and SMF's method script through
 * {@code SDC_DOCKER_READY_FILE} (a file holding this JVM's pid, written whole, that the script
 * waits for before it returns). Neither set: nothing to do.
 */
final class Readiness {
  private static final int AF_UNIX = 1;
  private static final int SOCK_DGRAM = 2;
  private static final int SOCK_CLOEXEC = 02000000;

  /** The libc functions used, nothing more. */
  public interface LibC {
    int socket(int domain, int type, int protocol);

    long sendto(int fd, @In byte[] buf, long len, int flags, @In byte[] addr, int addrlen);

    int close(int fd);
  }

  private Readiness() {}

  /** Says the daemon is ready, with {@code status} for systemctl status. */
  static void ready(String status) {
    notify(
        "READY=1\nSTATUS="
            + status.replace('\n', ' ')
            + "\nMAINPID="
            + ProcessHandle.current().pid());
    String file = System.getenv("SDC_DOCKER_READY_FILE");
    if (file != null && !file.isEmpty()) {
      Path p = Path.of(file);
      try {
        Path tmp = p.resolveSibling(p.getFileName() + ".tmp");
        Files.writeString(tmp, ProcessHandle.current().pid() + "\n");
        Files.move(tmp, p, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (IOException e) {
        System.err.println("sdc-docker: cannot write the ready file " + p + ": " + e.getMessage());
      }
    }
  }

  /** Says the daemon is stopping (its containers stay). */
  static void stopping() {
    notify("STOPPING=1");
  }

  /** One datagram to systemd's socket, if it gave one; a failure is said, never thrown. */
  static void notify(String message) {
    String socket = System.getenv("SDC_DOCKER_NOTIFY_SOCKET"); // bin/sdc-docker moved it here
    if (socket == null || socket.isEmpty()) {
      socket = System.getenv("NOTIFY_SOCKET");
    }
    if (socket == null || socket.isEmpty()) {
      return;
    }
    byte[] path = socket.getBytes(StandardCharsets.UTF_8);
    if (path.length > 107 || (path[0] != '/' && path[0] != '@')) {
      System.err.println("sdc-docker: NOTIFY_SOCKET " + socket + " is not a unix socket's path");
      return;
    }
    byte[] addr = new byte[2 + path.length + 1];
    addr[0] = AF_UNIX; // sa_family, little-endian
    System.arraycopy(path, 0, addr, 2, path.length);
    int len = addr.length;
    if (path[0] == '@') { // abstract: a NUL first, and the length counts no terminating NUL
      addr[2] = 0;
      len = 2 + path.length;
    }
    byte[] msg = message.getBytes(StandardCharsets.UTF_8);
    LibC libc = LibraryLoader.create(LibC.class).load("c");
    int fd = libc.socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      System.err.println("sdc-docker: cannot tell systemd: no socket");
      return;
    }
    try {
      if (libc.sendto(fd, msg, msg.length, 0, addr, len) < 0) {
        System.err.println("sdc-docker: cannot tell systemd at " + socket);
      }
    } finally {
      libc.close(fd);
    }
  }
}
