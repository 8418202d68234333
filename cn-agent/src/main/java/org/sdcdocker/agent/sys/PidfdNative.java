package org.sdcdocker.agent.sys;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;

/**
 * Process file descriptors (Linux 5.3+): a pidfd names one process for as long as it is held, so a
 * signal sent through it reaches that process or, once it has exited, nothing; never a process that
 * got its pid later, and never a process group (no pid 0 or -1).
 */
public final class PidfdNative {
  private static final long SYS_PIDFD_SEND_SIGNAL = 424; // the same on every architecture
  private static final long SYS_PIDFD_OPEN = 434;
  private static final int ESRCH = jnr.constants.platform.Errno.ESRCH.intValue();

  /** The libc functions used, nothing more. */
  public interface LibC {
    long syscall(long number, long a, long b, long c, long d);

    int close(int fd);
  }

  private static final LibC LIBC = LibraryLoader.create(LibC.class).load("c");
  private static final Runtime RUNTIME = Runtime.getRuntime(LIBC);

  private PidfdNative() {}

  /** A pidfd for {@code pid}, or -1 when no such process exists. */
  public static int open(int pid) {
    if (pid <= 0) {
      throw new IllegalArgumentException("not a process id: " + pid);
    }
    long fd = LIBC.syscall(SYS_PIDFD_OPEN, pid, 0, 0, 0);
    if (fd < 0) {
      int errno = RUNTIME.getLastError();
      if (errno == ESRCH) {
        return -1;
      }
      throw new SyscallException("pidfd_open", Integer.toString(pid), errno);
    }
    return (int) fd;
  }

  /** Sends a signal through a pidfd; false when its process has exited. */
  public static boolean signal(int pidfd, int signal) {
    if (LIBC.syscall(SYS_PIDFD_SEND_SIGNAL, pidfd, signal, 0, 0) < 0) {
      int errno = RUNTIME.getLastError();
      if (errno == ESRCH) {
        return false;
      }
      throw new SyscallException("pidfd_send_signal", Integer.toString(signal), errno);
    }
    return true;
  }

  /** Closes a pidfd. */
  public static void close(int pidfd) {
    LIBC.close(pidfd);
  }
}
