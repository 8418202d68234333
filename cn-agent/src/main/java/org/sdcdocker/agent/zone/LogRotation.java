package org.sdcdocker.agent.zone;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.sdcdocker.protocol.agent.HostOptions.LogConfig;

/**
 * json-file's max-size and max-file for a zone's log: past max-size the log becomes ctr.log.1
 * (older ones shift up, the oldest beyond max-file goes) and conmon is told to reopen ctr.log; with
 * max-file 1 the log is emptied. Checked about once a second, so a log may pass max-size by that
 * much output.
 */
public final class LogRotation {
  private LogRotation() {}

  /** The rotated files of a log, oldest first. */
  public static List<Path> rotated(Path log) {
    List<Path> out = new ArrayList<>();
    for (int i = 1; i < 1000; i++) {
      Path p = log.resolveSibling(log.getFileName() + "." + i);
      if (!Files.exists(p)) {
        break;
      }
      out.add(0, p);
    }
    return out;
  }

  static int maxFile(LogConfig c) {
    try {
      return Math.max(1, Integer.parseInt(c.config().getOrDefault("max-file", "1")));
    } catch (NumberFormatException e) {
      return 1;
    }
  }

  /** Rotates when the log has grown past max-size; true when it did. */
  static boolean rotateIfNeeded(Path log, LogConfig c, Runnable reopen) throws IOException {
    if (c.maxSize() <= 0 || !c.readable() || !Files.exists(log) || Files.size(log) <= c.maxSize()) {
      return false;
    }
    int files = maxFile(c);
    if (files == 1) {
      try (FileChannel ch = FileChannel.open(log, StandardOpenOption.WRITE)) {
        ch.truncate(0); // conmon appends, so it goes on at the new end
      }
      return true;
    }
    Files.deleteIfExists(log.resolveSibling(log.getFileName() + "." + (files - 1)));
    for (int i = files - 2; i >= 1; i--) {
      Path from = log.resolveSibling(log.getFileName() + "." + i);
      if (Files.exists(from)) {
        Files.move(
            from,
            log.resolveSibling(log.getFileName() + "." + (i + 1)),
            StandardCopyOption.REPLACE_EXISTING);
      }
    }
    Files.move(
        log, log.resolveSibling(log.getFileName() + ".1"), StandardCopyOption.REPLACE_EXISTING);
    reopen.run();
    return true;
  }
}
