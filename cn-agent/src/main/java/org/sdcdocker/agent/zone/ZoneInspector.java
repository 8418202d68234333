package org.sdcdocker.agent.zone;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.sdcdocker.protocol.DockerException;
import org.sdcdocker.protocol.agent.AgentRequests.Change;
import org.sdcdocker.protocol.agent.AgentRequests.TopResult;

/** Looks into a zone without entering it: its filesystem changes and its processes. */
final class ZoneInspector {
  /** Paths the agent itself puts into every zone: not the container's changes. */
  private static final Set<String> OURS =
      Set.of(
          "/native",
          "/etc/hosts",
          "/etc/hostname",
          "/etc/resolv.conf",
          "/var/log/sdc-dockerinit.log",
          "/dev",
          "/proc",
          "/sys");

  private ZoneInspector() {}

  /** The paths the agent itself puts into every zone. */
  static Set<String> ours() {
    return OURS;
  }

  /** The upper layer as Docker's changes: A(1) added, C(0) changed, D(2) deleted. */
  static List<Change> changes(Path upper, List<Path> lowers) throws IOException {
    return changes(upper, lowers, Set.of());
  }

  /**
   * The same, leaving out the zone's mount points too (a volume's data is not the container's
   * layer).
   */
  static List<Change> changes(Path upper, List<Path> lowers, Set<String> mountPoints)
      throws IOException {
    List<Change> out = new ArrayList<>();
    if (!Files.isDirectory(upper)) {
      return out;
    }
    Files.walkFileTree(
        upper,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
            if (dir.equals(upper)) {
              return FileVisitResult.CONTINUE;
            }
            String p = "/" + upper.relativize(dir);
            if (OURS.contains(p) || mountPoints.contains(p)) {
              return FileVisitResult.SKIP_SUBTREE;
            }
            out.add(new Change(p, inLower(lowers, p) ? 0 : 1));
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            String p = "/" + upper.relativize(file);
            if (OURS.contains(p) || mountPoints.contains(p)) {
              return FileVisitResult.CONTINUE;
            }
            int mode = (int) Files.getAttribute(file, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            long rdev = (long) Files.getAttribute(file, "unix:rdev", LinkOption.NOFOLLOW_LINKS);
            boolean whiteout = (mode & 0170000) == 0020000 && rdev == 0;
            out.add(new Change(p, whiteout ? 2 : inLower(lowers, p) ? 0 : 1));
            return FileVisitResult.CONTINUE;
          }
        });
    // a directory that only holds changes made by us is not a change of the container's
    out.removeIf(
        c ->
            c.kind() != 2
                && Files.isDirectory(
                    upper.resolve(c.path().substring(1)), LinkOption.NOFOLLOW_LINKS)
                && isOnlyOurs(upper, c.path(), mountPoints));
    out.sort((a, b) -> a.path().compareTo(b.path()));
    return out;
  }

  private static boolean isOnlyOurs(Path upper, String dir, Set<String> mountPoints) {
    Set<String> ours = new HashSet<>(OURS);
    ours.addAll(mountPoints);
    for (String o : ours) {
      if (o.startsWith(dir + "/")) {
        try (var s = Files.walk(upper.resolve(dir.substring(1)))) {
          return s.map(p -> "/" + upper.relativize(p))
              .allMatch(
                  p ->
                      ours.contains(p)
                          || Files.isDirectory(
                                  upper.resolve(p.substring(1)), LinkOption.NOFOLLOW_LINKS)
                              && ours.stream().anyMatch(x -> x.startsWith(p + "/") || x.equals(p)));
        } catch (IOException e) {
          return false;
        }
      }
    }
    return false;
  }

  private static boolean inLower(List<Path> lowers, String p) {
    for (Path l : lowers) {
      if (Files.exists(l.resolve(p.substring(1)), LinkOption.NOFOLLOW_LINKS)) {
        return true;
      }
    }
    return false;
  }

  /** {@code ps ARGS} on the host, only the zone's processes (the pids of its cgroup). */
  static TopResult top(Set<Integer> pids, String psArgs) {
    List<String> cmd = new ArrayList<>(List.of("ps"));
    for (String a : (psArgs == null || psArgs.isBlank() ? "-ef" : psArgs).trim().split("\\s+")) {
      cmd.add(a);
    }
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes());
      if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw DockerException.internal("ps: %s", out.trim());
      }
      List<String> lines = out.lines().toList();
      if (lines.isEmpty()) {
        throw DockerException.internal("ps printed nothing");
      }
      List<String> titles = List.of(lines.get(0).trim().split("\\s+"));
      int pidCol = titles.indexOf("PID");
      if (pidCol < 0) {
        throw DockerException.internal("Couldn't find PID field in ps output");
      }
      List<List<String>> rows = new ArrayList<>();
      for (String line : lines.subList(1, lines.size())) {
        String[] f = line.trim().split("\\s+", titles.size());
        if (f.length > pidCol
            && f[pidCol].matches("[0-9]+")
            && pids.contains(Integer.parseInt(f[pidCol]))) {
          rows.add(List.of(f));
        }
      }
      return new TopResult(titles, rows);
    } catch (IOException e) {
      throw DockerException.internal("running ps: %s", e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw DockerException.internal("interrupted running ps");
    }
  }
}
