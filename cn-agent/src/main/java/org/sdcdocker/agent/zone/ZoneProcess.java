package org.sdcdocker.agent.zone;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.sdcdocker.agent.sys.PidfdNative;

/**
 * The first process of a zone's run, held by a pidfd from the moment the runtime made it (or, after
 * an agent restart, from the moment it was found still in the zone's cgroup): a signal reaches that
 * process or nothing, whatever became of its pid. Guarded by its zone's lock.
 */
final class ZoneProcess {
  private final int pid;
  private int pidfd;

  private ZoneProcess(int pid, int pidfd) {
    this.pid = pid;
    this.pidfd = pidfd;
  }

  /** The process the runtime just made for the zone (held in runc's created state, so alive). */
  static ZoneProcess made(int pid) {
    int fd = PidfdNative.open(pid);
    if (fd < 0) {
      throw new IllegalStateException("the zone's process " + pid + " is gone before it started");
    }
    return new ZoneProcess(pid, fd);
  }

  /**
   * The process recorded for a zone, found again after the agent restarted: only when it still
   * exists and is in the zone's cgroup (so a pid reused by another process is not taken); else
   * null.
   */
  static ZoneProcess adopt(int pid, String zoneId) {
    if (pid <= 0) {
      return null;
    }
    int fd = PidfdNative.open(pid);
    if (fd < 0) {
      return null;
    }
    // checked after the pidfd is held: the process it names cannot change any more
    if (!inCgroup(pid, ZoneSpecs.cgroupPath(zoneId))) {
      PidfdNative.close(fd);
      return null;
    }
    return new ZoneProcess(pid, fd);
  }

  static boolean inCgroup(int pid, String cgroup) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Integer.toString(pid), "cgroup"))) {
        String path = line.substring(line.indexOf(':', line.indexOf(':') + 1) + 1);
        if (path.equals(cgroup) || path.startsWith(cgroup + "/")) {
          return true;
        }
      }
    } catch (IOException | RuntimeException e) {
      return false;
    }
    return false;
  }

  /** Sends a signal; false when the process has exited (or this handle was closed). */
  boolean signal(int signal) {
    return pidfd >= 0 && PidfdNative.signal(pidfd, signal);
  }

  /**
   * Whether the process still runs: not reaped, and not a zombie either (it has exited and conmon
   * has yet to reap it; the runtime already calls it stopped). While it is not reaped its pid is
   * still its own, so its /proc entry is its.
   */
  boolean alive() {
    if (!signal(0)) {
      return false;
    }
    try {
      String stat = Files.readString(Path.of("/proc", Integer.toString(pid), "stat"));
      char state = stat.charAt(stat.lastIndexOf(')') + 2);
      return state != 'Z' && state != 'X';
    } catch (IOException | RuntimeException e) {
      return false; // reaped meanwhile
    }
  }

  /** Lets the process go: its run has ended. */
  void close() {
    if (pidfd >= 0) {
      PidfdNative.close(pidfd);
      pidfd = -1;
    }
  }
}
