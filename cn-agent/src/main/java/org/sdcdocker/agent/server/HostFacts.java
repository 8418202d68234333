package org.sdcdocker.agent.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.UUID;

/** What an agent tells about its compute node: identity, memory, kernel, OS. */
final class HostFacts {
  private HostFacts() {}

  /** The compute node's UUID, made once and kept in the data root. */
  static String cnUuid(Path root) throws IOException {
    Path f = root.resolve("cn-uuid");
    if (Files.exists(f)) {
      return Files.readString(f).trim();
    }
    String id = UUID.randomUUID().toString();
    Path tmp = root.resolve("cn-uuid.tmp");
    Files.writeString(tmp, id + "\n");
    Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE);
    return id;
  }

  /**
   * Whether the compute node rebooted since the agent last ran: the boot id differs from the one
   * kept in the data root. The current one is kept for next time.
   */
  static boolean rebooted(Path root, Path bootIdFile) throws IOException {
    String now = Files.readString(bootIdFile).trim();
    Path seen = root.resolve("boot-id");
    boolean rebooted = Files.exists(seen) && !Files.readString(seen).trim().equals(now);
    Path tmp = root.resolve("boot-id.tmp");
    Files.writeString(tmp, now + "\n");
    Files.move(tmp, seen, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    return rebooted;
  }

  static long memoryBytes() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
        if (line.startsWith("MemTotal:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException | NumberFormatException e) {
      // unknown
    }
    return 0;
  }

  static String kernel() {
    return read(Path.of("/proc/sys/kernel/osrelease"), "unknown");
  }

  static String hostname() {
    return read(Path.of("/proc/sys/kernel/hostname"), "localhost");
  }

  static String operatingSystem() {
    try {
      for (String line : Files.readAllLines(Path.of("/etc/os-release"))) {
        if (line.startsWith("PRETTY_NAME=")) {
          return line.substring("PRETTY_NAME=".length()).replace("\"", "");
        }
      }
    } catch (IOException e) {
      // unknown
    }
    return "Linux";
  }

  private static String read(Path p, String dflt) {
    try {
      return Files.readString(p).trim();
    } catch (IOException e) {
      return dflt;
    }
  }
}
