package org.sdcdocker.agent.sys;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.In;

/** mount(2) and umount2(2): the only mount calls the agent makes. */
public final class MountNative {
  /** umount2 flag: detach even when busy. */
  public static final int MNT_DETACH = 2;

  /** The libc functions used, nothing more. */
  public interface LibC {
    int mount(@In String source, @In String target, @In String fstype, long flags, @In String data);

    int umount2(@In String target, int flags);
  }

  private static final LibC LIBC = LibraryLoader.create(LibC.class).load("c");
  private static final Runtime RUNTIME = Runtime.getRuntime(LIBC);

  private MountNative() {}

  /** Mounts, throwing with errno on failure. */
  public static void mount(String source, String target, String fstype, long flags, String data) {
    if (LIBC.mount(source, target, fstype, flags, data) < 0) {
      throw new SyscallException("mount", target, RUNTIME.getLastError());
    }
  }

  /** Unmounts; a target that is not mounted (EINVAL) or gone (ENOENT) is not an error. */
  public static void umount(String target, int flags) {
    if (LIBC.umount2(target, flags) < 0) {
      int errno = RUNTIME.getLastError();
      if (errno != jnr.constants.platform.Errno.EINVAL.intValue()
          && errno != jnr.constants.platform.Errno.ENOENT.intValue()) {
        throw new SyscallException("umount2", target, errno);
      }
    }
  }
}
