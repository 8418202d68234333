package org.sdcdocker.agent.sys;

import java.util.Arrays;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.In;

/** The file calls Java lacks: mknod, lchown, lsetxattr. */
public final class FileNative {
  /** The libc functions used, nothing more. */
  public interface LibC {
    int mknod(@In String path, int mode, long dev);

    int lchown(@In String path, int uid, int gid);

    int lsetxattr(@In String path, @In String name, @In byte[] value, long size, int flags);

    int chmod(@In String path, int mode);

    long lgetxattr(
        @In String path, @In String name, @jnr.ffi.annotations.Out byte[] value, long size);
  }

  private static final LibC LIBC = LibraryLoader.create(LibC.class).load("c");
  private static final Runtime RUNTIME = Runtime.getRuntime(LIBC);

  private FileNative() {}

  private static void check(int rc, String call, String arg) {
    if (rc < 0) {
      throw new SyscallException(call, arg, RUNTIME.getLastError());
    }
  }

  /** Makes a device node, fifo or (with dev 0, S_IFCHR) an overlay whiteout. */
  public static void mknod(String path, int mode, int major, int minor) {
    long dev = ((long) (major & 0xfff) << 8) | (minor & 0xff) | ((long) (minor & ~0xff) << 12);
    check(LIBC.mknod(path, mode, dev), "mknod", path);
  }

  /** Changes the owner without following a symlink. */
  public static void lchown(String path, int uid, int gid) {
    check(LIBC.lchown(path, uid, gid), "lchown", path);
  }

  /** Sets an extended attribute without following a symlink. */
  public static void lsetxattr(String path, String name, byte[] value) {
    check(LIBC.lsetxattr(path, name, value, value.length, 0), "lsetxattr", path + " " + name);
  }

  /** Sets the mode bits, setuid, setgid and sticky included (Java cannot set those). */
  public static void chmod(String path, int mode) {
    check(LIBC.chmod(path, mode & 07777), "chmod", path);
  }

  /** Reads an extended attribute without following a symlink; null when it is absent. */
  public static byte[] lgetxattr(String path, String name) {
    byte[] buf = new byte[256];
    long n = LIBC.lgetxattr(path, name, buf, buf.length);
    if (n < 0) {
      int errno = RUNTIME.getLastError();
      if (errno == jnr.constants.platform.Errno.ENODATA.intValue()) {
        return null;
      }
      throw new SyscallException("lgetxattr", path + " " + name, errno);
    }
    return Arrays.copyOf(buf, (int) n);
  }
}
