package org.sdcdocker.agent.sys;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;

/**
 * A SOCK_SEQPACKET unix socket client, for conmon's attach socket: each message conmon sends starts
 * with its stream (2 stdout, 3 stderr); what is written goes to the zone's stdin.
 */
public final class SeqpacketNative implements AutoCloseable {
  private static final int AF_UNIX = 1;
  private static final int SOCK_SEQPACKET = 5;
  private static final int SOCK_CLOEXEC = 02000000;
  private static final int SHUT_WR = 1;

  /** The libc functions used, nothing more. */
  public interface LibC {
    int socket(int domain, int type, int protocol);

    int connect(int fd, @In byte[] addr, int len);

    long write(int fd, @In byte[] buf, long count);

    long read(int fd, @Out byte[] buf, long count);

    int shutdown(int fd, int how);

    int close(int fd);

    int open(@In String path, int flags);
  }

  private static final LibC LIBC = LibraryLoader.create(LibC.class).load("c");
  private static final Runtime RUNTIME = Runtime.getRuntime(LIBC);

  private final int fd;
  private boolean closed;

  private SeqpacketNative(int fd) {
    this.fd = fd;
  }

  private static final int O_PATH = 010000000;
  private static final int O_DIRECTORY = 0200000;

  /**
   * Connects to the socket {@code name} in {@code dir}, whatever the length of the directory's path
   * (a socket address holds 107 bytes): through /proc/self/fd of the directory opened O_PATH.
   */
  public static SeqpacketNative connectIn(String dir, String name) {
    int dfd = LIBC.open(dir, O_PATH | O_DIRECTORY | SOCK_CLOEXEC);
    if (dfd < 0) {
      throw new SyscallException("open", dir, RUNTIME.getLastError());
    }
    try {
      return connect("/proc/self/fd/" + dfd + "/" + name);
    } finally {
      LIBC.close(dfd);
    }
  }

  /** Connects to the socket at {@code path} (at most 107 bytes long). */
  public static SeqpacketNative connect(String path) {
    byte[] p = path.getBytes(StandardCharsets.UTF_8);
    if (p.length > 107) {
      throw new SyscallException("connect", path, 36); // ENAMETOOLONG
    }
    byte[] addr = new byte[2 + 108];
    addr[0] = AF_UNIX; // sa_family, little-endian
    System.arraycopy(p, 0, addr, 2, p.length);
    int fd = LIBC.socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      throw new SyscallException("socket", path, RUNTIME.getLastError());
    }
    if (LIBC.connect(fd, addr, 2 + p.length + 1) < 0) {
      int errno = RUNTIME.getLastError();
      LIBC.close(fd);
      throw new SyscallException("connect", path, errno);
    }
    return new SeqpacketNative(fd);
  }

  /** Writes all of {@code data}. Blocking. */
  public synchronized void write(byte[] data) {
    int off = 0;
    while (off < data.length) {
      byte[] chunk = off == 0 ? data : Arrays.copyOfRange(data, off, data.length);
      long n = LIBC.write(fd, chunk, chunk.length);
      if (n < 0) {
        throw new SyscallException("write", "attach socket", RUNTIME.getLastError());
      }
      off += (int) n;
    }
  }

  /** Reads one message; -1 at the end. Blocking. */
  public int read(byte[] buf) {
    long n = LIBC.read(fd, buf, buf.length);
    if (n < 0) {
      throw new SyscallException("read", "attach socket", RUNTIME.getLastError());
    }
    return n == 0 ? -1 : (int) n;
  }

  /** Ends the zone's input (conmon closes its stdin, unless told to leave it open). */
  public synchronized void shutdownOutput() {
    if (!closed) {
      LIBC.shutdown(fd, SHUT_WR);
    }
  }

  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      LIBC.close(fd);
    }
  }
}
