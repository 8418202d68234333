package org.sdcdocker.agent.sys;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;

/** A pseudo-terminal the agent holds the master of (for exec -t): open, read, write, resize. */
public final class PtyNative implements AutoCloseable {
  private static final int O_RDWR = 2;
  private static final int O_NOCTTY = 0400;
  private static final int O_CLOEXEC = 02000000;
  private static final long TIOCSWINSZ = 0x5414;

  /** The libc functions used, nothing more. */
  public interface LibC {
    int posix_openpt(int flags);

    int grantpt(int fd);

    int unlockpt(int fd);

    int ptsname_r(int fd, @Out byte[] buf, long len);

    long read(int fd, @Out byte[] buf, long count);

    long write(int fd, @In byte[] buf, long count);

    int ioctl(int fd, long request, @In byte[] arg);

    int close(int fd);
  }

  private static final LibC LIBC = LibraryLoader.create(LibC.class).load("c");
  private static final Runtime RUNTIME = Runtime.getRuntime(LIBC);

  private final int master;
  private final String slave;
  private volatile boolean closed;

  private PtyNative(int master, String slave) {
    this.master = master;
    this.slave = slave;
  }

  /** A new terminal pair; the slave is opened by path (by the process that gets it as stdio). */
  public static PtyNative open() {
    int fd = LIBC.posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) {
      throw new SyscallException("posix_openpt", "", RUNTIME.getLastError());
    }
    byte[] name = new byte[128];
    if (LIBC.grantpt(fd) < 0 || LIBC.unlockpt(fd) < 0 || LIBC.ptsname_r(fd, name, name.length) != 0) {
      int errno = RUNTIME.getLastError();
      LIBC.close(fd);
      throw new SyscallException("ptsname", "", errno);
    }
    int len = 0;
    while (len < name.length && name[len] != 0) {
      len++;
    }
    return new PtyNative(fd, new String(name, 0, len, java.nio.charset.StandardCharsets.US_ASCII));
  }

  /** The slave's path, such as /dev/pts/3. */
  public String slave() {
    return slave;
  }

  /** Reads what the process wrote; -1 once every slave is closed (EIO). */
  public int read(byte[] buf) {
    long n = LIBC.read(master, buf, buf.length);
    return n <= 0 ? -1 : (int) n;
  }

  public void write(byte[] data) {
    int off = 0;
    while (off < data.length && !closed) {
      byte[] chunk = off == 0 ? data : java.util.Arrays.copyOfRange(data, off, data.length);
      long n = LIBC.write(master, chunk, chunk.length);
      if (n < 0) {
        throw new SyscallException("write", slave, RUNTIME.getLastError());
      }
      off += (int) n;
    }
  }

  /** Sets the window size; the process gets SIGWINCH. */
  public void resize(int rows, int cols) {
    byte[] ws = {(byte) rows, (byte) (rows >> 8), (byte) cols, (byte) (cols >> 8), 0, 0, 0, 0};
    if (LIBC.ioctl(master, TIOCSWINSZ, ws) < 0) {
      throw new SyscallException("ioctl(TIOCSWINSZ)", slave, RUNTIME.getLastError());
    }
  }

  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      LIBC.close(master);
    }
  }
}
