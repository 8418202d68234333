package org.sdcdocker.agent.zone;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import org.sdcdocker.protocol.DockerException;

/**
 * Paths inside a zone's root, resolved as the zone would see them: a symlink, absolute or relative,
 * never leads outside the root (as chroot does), and ".." stops at the root.
 */
final class InRoot {
  private static final int MAX_LINKS = 40;

  private InRoot() {}

  /** Resolves {@code path} (absolute in the zone); the last component is not followed. */
  static Path resolve(Path root, String path) throws IOException {
    Deque<String> todo = new ArrayDeque<>();
    push(todo, path);
    Deque<String> done = new ArrayDeque<>();
    int links = 0;
    while (!todo.isEmpty()) {
      String part = todo.pop();
      if (part.isEmpty() || part.equals(".")) {
        continue;
      }
      if (part.equals("..")) {
        if (!done.isEmpty()) {
          done.removeLast();
        }
        continue;
      }
      Path candidate = host(root, done).resolve(part);
      if (!todo.isEmpty() && Files.isSymbolicLink(candidate)) {
        if (++links > MAX_LINKS) {
          throw DockerException.invalid("too many levels of symbolic links: %s", path);
        }
        String target = Files.readSymbolicLink(candidate).toString();
        if (target.startsWith("/")) {
          done.clear();
        }
        push(todo, target);
        continue;
      }
      done.addLast(part);
    }
    return host(root, done);
  }

  private static void push(Deque<String> todo, String path) {
    String[] parts = path.split("/");
    for (int i = parts.length - 1; i >= 0; i--) {
      todo.push(parts[i]);
    }
  }

  private static Path host(Path root, Deque<String> parts) {
    Path p = root;
    for (String s : parts) {
      p = p.resolve(s);
    }
    return p;
  }

  /** Whether the host path exists, without following its last component. */
  static boolean exists(Path p) {
    return Files.exists(p, LinkOption.NOFOLLOW_LINKS);
  }
}
