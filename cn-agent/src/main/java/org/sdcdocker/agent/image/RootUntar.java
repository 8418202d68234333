package org.sdcdocker.agent.image;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.sdcdocker.protocol.DockerException;

/**
 * The one way archives are written into a root: the static helper {@code root-untar}
 * (dockerinit/src) extracts them after {@code chroot(root)}, so the kernel, not Java path checks,
 * keeps every name, symlink and hard link of an archive inside the root. Its messages name paths as
 * the root sees them, never the host's.
 */
public final class RootUntar {
  /** How entries are written. */
  public enum Mode {
    /** An image layer: owners kept, Docker's whiteouts made overlayfs's. */
    LAYER("--layer"),
    /** {@code docker cp}: files owned by root, device nodes left out. */
    COPY(null),
    /** {@code docker cp -a}: the archive's owners kept. */
    COPY_OWNERS("--owners");

    private final String flag;

    Mode(String flag) {
      this.flag = flag;
    }
  }

  private final Path helper;

  public RootUntar(Path helper) {
    this.helper = helper;
  }

  /**
   * Extracts the plain tar read from {@code in} into {@code dir} (absolute, inside {@code root}). A
   * missing {@code dir} is not found; an archive at fault is an invalid parameter; what the system
   * refuses (no space left) is internal. Blocking: call off the event loop.
   */
  public void extract(Path root, String dir, InputStream in, Mode mode) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(helper.toString()));
    if (mode.flag != null) {
      cmd.add(mode.flag);
    }
    cmd.add(root.toString());
    cmd.add(dir);
    Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    try {
      feed(in, p.getOutputStream());
      byte[] err = p.getErrorStream().readNBytes(4096);
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        throw DockerException.internal("extracting an archive: the helper did not finish");
      }
      int rc = p.exitValue();
      String why = new String(err, StandardCharsets.UTF_8).strip();
      switch (rc) {
        case 0 -> {}
        case 2 -> throw DockerException.notFound("Could not find the file %s in container", dir);
        case 3 -> throw DockerException.invalid("extraction point is not a directory");
        case 4 -> throw DockerException.invalid("%s", why);
        default ->
            throw DockerException.internal(
                "%s", why.isEmpty() ? "extracting an archive failed" : why);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while extracting an archive");
    } finally {
      if (p.isAlive()) {
        p.destroyForcibly();
      }
    }
  }

  /**
   * Copies the archive to the helper. A failed read is the source's (rethrown); a failed write
   * means the helper stopped reading, because the archive ended or it failed: its exit tells.
   */
  private static void feed(InputStream in, OutputStream out) throws IOException {
    byte[] buf = new byte[1 << 16];
    boolean open = true;
    try {
      int n;
      while ((n = in.read(buf)) > 0) {
        try {
          out.write(buf, 0, n);
        } catch (IOException helperGone) {
          open = false;
          return;
        }
      }
    } finally {
      if (open) {
        try {
          out.close();
        } catch (IOException ignored) {
          // the helper already ended; its exit status tells why
        }
      }
    }
  }
}
