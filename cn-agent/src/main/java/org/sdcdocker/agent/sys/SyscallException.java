package org.sdcdocker.agent.sys;

/** A failed system call: its name, its argument and errno. */
public final class SyscallException extends RuntimeException {
  private final int errno;

  public SyscallException(String call, String arg, int errno) {
    super(call + "(" + arg + "): " + jnr.constants.platform.Errno.valueOf(errno).description());
    this.errno = errno;
  }

  /** The errno the call failed with. */
  public int errno() {
    return errno;
  }
}
