package org.sdcdocker.frontend.builder;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.sdcdocker.protocol.DockerException;

/**
 * The build context the client sent (a tar, possibly compressed), unpacked into a scratch directory
 * of the image service, with its {@code .dockerignore} rules. Sources of COPY and ADD are looked up
 * here and never leave it.
 */
final class BuildContext implements AutoCloseable {
  private final Path dir;
  private final List<Rule> ignore = new ArrayList<>();

  /** One .dockerignore line: a path pattern, or an exception to the ones before it ({@code !}). */
  private record Rule(Pattern pattern, boolean exclusion) {}

  private BuildContext(Path dir) {
    this.dir = dir;
  }

  /** Unpacks the context; entries that would land outside it are refused. */
  static BuildContext unpack(InputStream body, Path dir) throws IOException {
    Files.createDirectories(dir);
    BuildContext ctx = new BuildContext(dir);
    try (TarArchiveInputStream tar =
        new TarArchiveInputStream(Archives.decompressed(new BufferedInputStream(body)))) {
      TarArchiveEntry e;
      List<TarArchiveEntry> dirs = new ArrayList<>();
      while ((e = tar.getNextEntry()) != null) {
        Path target = ctx.inside(e.getName());
        if (target.equals(dir)) {
          continue;
        }
        ctx.noLinkOnTheWay(target, e.getName()); // before anything follows one
        Files.createDirectories(target.getParent());
        if (e.isDirectory()) {
          Files.createDirectories(target);
          dirs.add(e);
          continue;
        } else if (e.isSymbolicLink()) {
          Files.deleteIfExists(target);
          Files.createSymbolicLink(target, Path.of(e.getLinkName()));
          continue;
        } else if (e.isLink()) {
          Path source = ctx.inside(e.getLinkName());
          ctx.noLinkOnTheWay(source, e.getLinkName());
          Files.deleteIfExists(target);
          Files.createLink(target, source); // link(2): a symlink source is linked, not followed
          continue;
        } else if (e.isFile()) {
          Files.copy(tar, target, StandardCopyOption.REPLACE_EXISTING);
        } else {
          continue;
        }
        Archives.setMode(target, e.getMode());
        Files.setLastModifiedTime(target, FileTime.from(e.getModTime().toInstant()));
      }
      for (TarArchiveEntry d : dirs) {
        Path p = ctx.inside(d.getName());
        if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) { // not one a later entry made a link
          Archives.setMode(p, d.getMode() | 0700);
        }
      }
    } catch (IOException | IllegalArgumentException e) {
      ctx.close();
      String why = String.valueOf(e.getMessage()).replace(dir.toString(), ""); // no host path
      throw DockerException.invalid("the build context is not a valid tar archive: %s", why);
    } catch (RuntimeException e) {
      ctx.close();
      throw e;
    }
    return ctx;
  }

  /**
   * Refuses an entry whose way from the context's root goes through a symbolic link: writing there
   * would follow it, possibly out of the context (a link {@code tmp -> /tmp}, then {@code tmp/x}).
   * The context is this build's own directory, written by this thread alone.
   */
  private void noLinkOnTheWay(Path target, String name) {
    for (Path p = target.getParent();
        p != null && p.startsWith(dir) && !p.equals(dir);
        p = p.getParent()) {
      if (Files.isSymbolicLink(p)) {
        throw DockerException.invalid(
            "the build context has an entry through a symbolic link: %s", name);
      }
    }
  }

  private Path inside(String name) {
    Path p = dir.resolve(name.startsWith("/") ? name.substring(1) : name).normalize();
    if (!p.startsWith(dir)) {
      throw DockerException.invalid("the build context has an entry outside it: %s", name);
    }
    return p;
  }

  /** The Dockerfile's text; also reads .dockerignore. */
  String dockerfile(String name) throws IOException {
    Path ig = dir.resolve(".dockerignore");
    if (Files.isRegularFile(ig)) {
      for (String l : Files.readAllLines(ig, StandardCharsets.UTF_8)) {
        String t = l.strip();
        if (t.isEmpty() || t.startsWith("#")) {
          continue;
        }
        boolean ex = t.startsWith("!");
        String pat = clean(ex ? t.substring(1).strip() : t);
        ignore.add(new Rule(Pattern.compile(glob(pat, true)), ex));
      }
    }
    Path df = dir.resolve(name).normalize();
    if (!df.startsWith(dir) || !Files.isRegularFile(df)) {
      throw DockerException.invalid("Cannot locate specified Dockerfile: %s", name);
    }
    return Files.readString(df, StandardCharsets.UTF_8);
  }

  /**
   * Whether .dockerignore leaves a path (relative to the context) out; a parent's match counts too.
   */
  boolean ignored(String rel) {
    boolean out = false;
    for (Rule r : ignore) {
      boolean hit = false;
      String p = rel;
      while (!p.isEmpty()) {
        if (r.pattern().matcher(p).matches()) {
          hit = true;
          break;
        }
        int slash = p.lastIndexOf('/');
        p = slash < 0 ? "" : p.substring(0, slash);
      }
      if (hit) {
        out = !r.exclusion();
      }
    }
    return out;
  }

  /**
   * The context's paths a COPY/ADD source names (with * ? [..] wildcards); Docker's errors for a
   * path outside the context or one that is missing (or ignored).
   */
  List<Path> sources(String keyword, String src) throws IOException {
    String c = clean(src);
    if (c.equals("..") || c.startsWith("../")) {
      throw DockerException.invalid(
          "%s failed: forbidden path outside the build context: %s ()", keyword, src);
    }
    List<Path> out = new ArrayList<>();
    if (!c.matches(".*[*?\\[].*")) {
      Path p = c.isEmpty() ? dir : dir.resolve(c);
      if ((c.isEmpty() || !ignored(c)) && (Files.exists(p) || Files.isSymbolicLink(p))) {
        if (!c.isEmpty()
            && !p.getParent().toRealPath().startsWith(dir.toRealPath())) { // through a link out
          throw DockerException.invalid(
              "%s failed: forbidden path outside the build context: %s ()", keyword, src);
        }
        out.add(real(p, keyword, src));
      }
    } else {
      Pattern g = Pattern.compile(glob(c, false));
      try (var walk = Files.walk(dir)) {
        walk.filter(p -> !p.equals(dir))
            .filter(
                p -> {
                  String rel = rel(p);
                  return g.matcher(rel).matches() && !ignored(rel);
                })
            .sorted()
            .forEach(out::add);
      }
    }
    if (out.isEmpty()) {
      throw DockerException.invalid(
          "%s failed: file not found in build context or excluded by .dockerignore: "
              + "stat %s: file does not exist",
          keyword, src);
    }
    return out;
  }

  /** A top-level source is followed when it is a link, but only to somewhere inside the context. */
  private Path real(Path p, String keyword, String src) throws IOException {
    if (!Files.isSymbolicLink(p)) {
      return p;
    }
    Path r;
    try {
      r = p.toRealPath();
    } catch (IOException e) {
      throw DockerException.invalid(
          "%s failed: file not found in build context or excluded by .dockerignore: "
              + "stat %s: file does not exist",
          keyword, src);
    }
    if (!r.startsWith(dir.toRealPath())) {
      throw DockerException.invalid(
          "%s failed: forbidden path outside the build context: %s ()", keyword, src);
    }
    return r;
  }

  /** A path's name relative to the context, with / separators. */
  String rel(Path p) {
    return dir.relativize(p).toString();
  }

  Path root() {
    return dir;
  }

  /**
   * Every file under a source (itself when it is a file), in a stable order; ignored ones left out.
   */
  List<Path> tree(Path source) throws IOException {
    List<Path> out = new ArrayList<>();
    if (!Files.isDirectory(source, LinkOption.NOFOLLOW_LINKS)) {
      out.add(source);
      return out;
    }
    boolean exceptions = ignore.stream().anyMatch(Rule::exclusion);
    List<Path> ignoredDirs = new ArrayList<>();
    Files.walkFileTree(
        source,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes a) {
            if (!d.equals(source) && d.startsWith(dir) && ignored(rel(d))) {
              if (!exceptions) {
                return FileVisitResult.SKIP_SUBTREE;
              }
              ignoredDirs.add(d); // a `!` rule may take something under it back
              return FileVisitResult.CONTINUE;
            }
            out.add(d);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path f, BasicFileAttributes a) {
            if (!f.startsWith(dir) || !ignored(rel(f))) {
              out.add(f);
            }
            return FileVisitResult.CONTINUE;
          }
        });
    for (Path d :
        ignoredDirs) { // an ignored directory comes along only as the parent of what was taken back
      if (out.stream().anyMatch(p -> !p.equals(d) && p.startsWith(d))) {
        out.add(d);
      }
    }
    out.sort(Comparator.comparing(Path::toString));
    return out;
  }

  /** filepath.Clean of a relative pattern: no leading slash or ./, no trailing slash. */
  private static String clean(String p) {
    String n = Path.of("/" + p).normalize().toString();
    return n.equals("/") ? "" : n.substring(1);
  }

  /** A Go filepath.Match pattern as a regex; {@code **} (in .dockerignore) crosses directories. */
  static String glob(String pat, boolean doubleStar) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < pat.length(); i++) {
      char ch = pat.charAt(i);
      if (ch == '*' && doubleStar && i + 1 < pat.length() && pat.charAt(i + 1) == '*') {
        i++;
        if (i + 1 < pat.length() && pat.charAt(i + 1) == '/') {
          i++;
          b.append("(.*/)?");
        } else {
          b.append(".*");
        }
      } else if (ch == '*') {
        b.append("[^/]*");
      } else if (ch == '?') {
        b.append("[^/]");
      } else if (ch == '[') {
        int end = pat.indexOf(']', i);
        if (end < 0) {
          throw DockerException.invalid("syntax error in pattern: %s", pat);
        }
        String cls = pat.substring(i + 1, end);
        b.append('[')
            .append(
                cls.startsWith("^")
                    ? "^" + cls.substring(1).replace("\\", "\\\\")
                    : cls.replace("\\", "\\\\"))
            .append(']');
        i = end;
      } else if (ch == '\\' && i + 1 < pat.length()) {
        b.append(Pattern.quote(String.valueOf(pat.charAt(++i))));
      } else {
        b.append(Pattern.quote(String.valueOf(ch)));
      }
    }
    return b.toString();
  }

  @Override
  public void close() throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (var walk = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(p);
      }
    }
  }
}
