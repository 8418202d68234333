package org.sdcdocker.frontend.builder;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.sdcdocker.frontend.image.ImageRecord;
import org.sdcdocker.protocol.DockerException;
import org.sdcdocker.protocol.agent.AgentRequests.PathStat;
import org.sdcdocker.protocol.agent.ZoneRecord;

/**
 * COPY and ADD: the sources (from the context, from another stage or image with {@code --from}, or
 * for ADD a URL, and local tar archives unpacked) gathered into one tar with Docker's target names,
 * owners (0:0 or {@code --chown}) and modes ({@code --chmod}), extracted into a container of the
 * image so far and committed as the step's layer. The cache key is a hash of the content.
 *
 * <p>Why it is long: COPY and ADD as Docker's classic builder does them: sources in the context or
 * an earlier stage, globs, URLs, local archives unpacked, --chown, and the cache key of their
 * content.
 */
final class CopyStep {
  private final StepContext b;
  private final Dockerfile.Instruction in;
  private final boolean add;
  private final List<Path> temps = new ArrayList<>();

  /** One source: its name, whether it is a directory (copied as its contents), and its entries. */
  private record Source(String baseName, boolean dir, boolean unpack, List<Item> items) {}

  /** An entry of a source, named relative to it ("" is the source itself). */
  private record Item(
      String rel, char kind, int mode, int uid, int gid, FileTime mtime, String link, Path data) {}

  CopyStep(StepContext b, Dockerfile.Instruction in) {
    this.b = b;
    this.in = in;
    this.add = in.keyword().equals("ADD");
  }

  void run() throws IOException {
    try {
      copy();
    } finally {
      for (Path t : temps) {
        Files.deleteIfExists(t);
      }
    }
  }

  private void copy() throws IOException {
    for (String f : in.flags().keySet()) {
      if (!List.of("from", "chown", "chmod").contains(f) || f.equals("from") && add) {
        throw DockerException.invalid("Unknown flag: %s", f);
      }
    }
    Map<String, String> env = b.expansionEnv();
    List<String> words =
        in.jsonForm()
            ? in.json().stream().map(w -> ShellWords.word(w, env, b.escape())).toList()
            : ShellWords.words(in.args(), env, b.escape());
    if (words.size() < 2) {
      throw DockerException.invalid("%s requires at least two arguments", in.keyword());
    }
    String rawDest = words.get(words.size() - 1);
    String workdir = b.stage().run().path("WorkingDir").asText("");
    String dest =
        Path.of(
                rawDest.startsWith("/")
                    ? rawDest
                    : (workdir.isEmpty() ? "/" : workdir) + "/" + rawDest)
            .normalize()
            .toString();
    boolean destSlash = rawDest.endsWith("/") || rawDest.equals(".") || rawDest.endsWith("/.");
    String from = in.flags().get("from");
    List<Source> sources = new ArrayList<>();
    for (String src : words.subList(0, words.size() - 1)) {
      if (from != null) {
        sources.add(fromImage(from, src));
      } else if (add && (src.startsWith("http://") || src.startsWith("https://"))) {
        sources.add(download(src));
      } else {
        for (Path p : b.context().sources(in.keyword(), src)) {
          sources.add(fromContext(p));
        }
      }
    }
    if (sources.size() > 1 && !destSlash) {
      throw DockerException.invalid(
          "When using %s with more than one source file, the destination must be a "
              + "directory and end with a /",
          in.keyword());
    }
    String hash = hash(sources);
    String kind = sources.size() > 1 ? "multi" : sources.get(0).dir() ? "dir" : "file";
    String flags =
        in.flags().entrySet().stream()
            .map(e -> "--" + e.getKey() + "=" + e.getValue() + " ")
            .reduce("", String::concat);
    String msg = in.keyword() + " " + flags + kind + ":" + hash + " in " + dest + " ";
    List<String> cmd = new ArrayList<>(b.shell());
    cmd.add("#(nop) " + msg);
    ObjectNode rc = b.stage().run().deepCopy();
    if (b.useCache(cmd, rc)) {
      return;
    }
    b.filesStep(
        cmd,
        rc,
        c -> {
          PathStat st = b.host().stat(c, dest);
          boolean destIsDir = destSlash || st != null && (st.mode() & (1L << 31)) != 0;
          int[] owner = owner(c);
          Path tar = Files.createTempFile(b.images().scratch(), "copy-", ".tar");
          temps.add(tar);
          try (TarWriter w = new TarWriter(Files.newOutputStream(tar))) {
            for (Source s : sources) {
              write(w, s, dest, destIsDir, st == null, owner);
            }
          }
          b.host().extract(c, tar);
        });
  }

  /** A source's entries under the destination, with the step's owner and mode. */
  private void write(
      TarWriter w, Source s, String dest, boolean destIsDir, boolean destMissing, int[] owner)
      throws IOException {
    String chmod = in.flags().get("chmod");
    Integer mode = chmod == null ? null : Integer.parseInt(chmod, 8);
    String root = dest.equals("/") ? "" : dest.substring(1);
    for (Item it : s.items()) {
      String name;
      if (s.dir() || s.unpack()) {
        if (it.rel().isEmpty() && !(destMissing || owner != null)) {
          continue; // an existing destination directory keeps its owner and mode
        }
        name = it.rel().isEmpty() ? root : root.isEmpty() ? it.rel() : root + "/" + it.rel();
      } else {
        name = destIsDir ? (root.isEmpty() ? s.baseName() : root + "/" + s.baseName()) : root;
      }
      if (name.isEmpty()) {
        continue;
      }
      int uid = owner != null ? owner[0] : s.unpack() ? it.uid() : 0;
      int gid = owner != null ? owner[1] : s.unpack() ? it.gid() : 0;
      int m = mode != null && it.kind() != 'l' ? mode : it.mode();
      w.entry(name, it.kind(), m, uid, gid, it.mtime(), it.link(), it.data());
    }
  }

  // ---- sources

  private Source fromContext(Path p) throws IOException {
    String base = p.getFileName() == null ? "" : p.getFileName().toString();
    if (add && Archives.isTar(p)) {
      return unpacked(base, p);
    }
    boolean dir = Files.isDirectory(p);
    List<Item> items = new ArrayList<>();
    for (Path f : b.context().tree(p)) {
      String rel = p.relativize(f).toString();
      items.add(item(rel, f));
    }
    return new Source(base, dir, false, items);
  }

  private static Item item(String rel, Path f) throws IOException {
    FileTime mtime = Files.getLastModifiedTime(f, LinkOption.NOFOLLOW_LINKS);
    if (Files.isSymbolicLink(f)) {
      return new Item(rel, 'l', 0777, 0, 0, mtime, Files.readSymbolicLink(f).toString(), null);
    }
    if (Files.isDirectory(f, LinkOption.NOFOLLOW_LINKS)) {
      return new Item(rel, 'd', Archives.mode(f), 0, 0, mtime, null, null);
    }
    return new Item(rel, 'f', Archives.mode(f), 0, 0, mtime, null, f);
  }

  /** ADD of a local tar: its entries (owners kept) go under the destination directory. */
  private Source unpacked(String base, Path archive) throws IOException {
    return new Source(base, true, true, readTar(archive, null));
  }

  /** COPY --from: the path as docker cp would give it, from a container of the stage or image. */
  private Source fromImage(String from, String src) throws IOException {
    Builder.Stage s = b.stageForCopy(from);
    ImageRecord img = s != null ? b.ensureImage(s) : b.host().image(from, p -> {});
    ZoneRecord c =
        b.host()
            .create(b.containerBody(img, List.of("/bin/sh", "-c", "#(nop) COPY --from")), false);
    Path tmp = Files.createTempFile(b.images().scratch(), "from-", ".tar");
    temps.add(tmp);
    try {
      if (b.host().stat(c, src) == null) {
        throw DockerException.invalid("COPY failed: stat %s: file does not exist", src);
      }
      try (InputStream a = b.host().archive(c, src)) {
        Files.copy(a, tmp, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      b.host().remove(c);
    }
    String base =
        Path.of("/" + src).normalize().getFileName() == null
            ? "/"
            : Path.of("/" + src).normalize().getFileName().toString();
    List<Item> items = readTar(tmp, base);
    boolean dir = !items.isEmpty() && items.get(0).kind() == 'd';
    return new Source(base, dir, false, items);
  }

  /**
   * A tar's entries as items; with {@code top}, names are taken relative to that first component.
   */
  private List<Item> readTar(Path archive, String top) throws IOException {
    List<Item> items = new ArrayList<>();
    try (TarArchiveInputStream tar =
        new TarArchiveInputStream(
            Archives.decompressed(new BufferedInputStream(Files.newInputStream(archive))))) {
      TarArchiveEntry e;
      while ((e = tar.getNextEntry()) != null) {
        String name = Path.of("/" + e.getName()).normalize().toString().substring(1);
        if (top != null) {
          name =
              name.equals(top) || top.equals("/")
                  ? (top.equals("/") ? name : "")
                  : name.startsWith(top + "/") ? name.substring(top.length() + 1) : null;
          if (name == null) {
            continue;
          }
        }
        FileTime mtime = FileTime.from(e.getModTime().toInstant());
        int uid = (int) e.getLongUserId();
        int gid = (int) e.getLongGroupId();
        if (e.isDirectory()) {
          items.add(new Item(name, 'd', e.getMode() & 07777, uid, gid, mtime, null, null));
        } else if (e.isSymbolicLink()) {
          items.add(new Item(name, 'l', 0777, uid, gid, mtime, e.getLinkName(), null));
        } else if (e.isFile()) {
          Path data = Files.createTempFile(b.images().scratch(), "item-", "");
          temps.add(data);
          Files.copy(tar, data, StandardCopyOption.REPLACE_EXISTING);
          items.add(new Item(name, 'f', e.getMode() & 07777, uid, gid, mtime, null, data));
        }
      }
    }
    return items;
  }

  /** ADD of a URL: the file, named after the URL's last path element, mode 0600 as Docker. */
  private Source download(String url) throws IOException {
    Path data = Files.createTempFile(b.images().scratch(), "add-", "");
    temps.add(data);
    var http =
        HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NORMAL)
            .connectTimeout(Duration.ofSeconds(30))
            .build();
    HttpResponse<Path> r;
    try {
      r =
          http.send(
              HttpRequest.newBuilder(URI.create(url)).build(),
              HttpResponse.BodyHandlers.ofFile(data));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw DockerException.internal("interrupted");
    } catch (IOException e) {
      throw DockerException.internal("failed to GET %s: %s", url, e.getMessage());
    }
    if (r.statusCode() / 100 != 2) {
      throw DockerException.internal("failed to GET %s with status %d", url, r.statusCode());
    }
    String path = URI.create(url).getPath();
    String base =
        path == null || path.isEmpty() || path.endsWith("/")
            ? ""
            : path.substring(path.lastIndexOf('/') + 1);
    if (base.isEmpty()) {
      throw DockerException.invalid("cannot determine filename from url: %s", url);
    }
    FileTime mtime =
        r.headers()
            .firstValue("Last-Modified")
            .map(
                v -> {
                  try {
                    return FileTime.from(
                        ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
                  } catch (DateTimeParseException e) {
                    return FileTime.fromMillis(0);
                  }
                })
            .orElse(FileTime.fromMillis(0));
    return new Source(
        base, false, false, List.of(new Item("", 'f', 0600, 0, 0, mtime, null, data)));
  }

  // ---- owners and the cache key

  /**
   * --chown's uid and gid (names looked up in the image's /etc/passwd and /etc/group); null without
   * it.
   */
  private int[] owner(ZoneRecord c) throws IOException {
    String spec = in.flags().get("chown");
    if (spec == null) {
      return null;
    }
    spec = ShellWords.word(spec, b.expansionEnv(), b.escape());
    String[] ug = spec.split(":", 2);
    int uid = id(c, ug[0], "/etc/passwd", "uid", "user");
    int gid = ug.length > 1 ? id(c, ug[1], "/etc/group", "gid", "group") : uid;
    return new int[] {uid, gid};
  }

  private int id(ZoneRecord c, String name, String file, String what, String kind)
      throws IOException {
    if (name.matches("[0-9]+")) {
      return Integer.parseInt(name);
    }
    String text = "";
    if (b.host().stat(c, file) != null) {
      try (TarArchiveInputStream t = new TarArchiveInputStream(b.host().archive(c, file))) {
        if (t.getNextEntry() != null) {
          text = new String(t.readAllBytes(), StandardCharsets.UTF_8);
        }
      }
    }
    for (String line : text.split("\n")) {
      String[] f = line.split(":");
      if (f.length > 2 && f[0].equals(name) && f[2].matches("[0-9]+")) {
        return Integer.parseInt(f[2]);
      }
    }
    throw DockerException.invalid(
        "unable to convert uid/gid chown string to host mapping: can't find %s for %s %s: "
            + "no such %s: %s",
        what, kind, name, kind, name);
  }

  /**
   * The content's digest: names, kinds, modes, owners of unpacked archives, link targets and bytes.
   */
  private static String hash(List<Source> sources) throws IOException {
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    byte[] buf = new byte[1 << 16];
    for (Source s : sources) {
      sha.update(
          (s.baseName() + "\0" + s.dir() + s.unpack() + "\0").getBytes(StandardCharsets.UTF_8));
      for (Item it : s.items()) {
        sha.update(
            (it.rel()
                    + "\0"
                    + it.kind()
                    + Integer.toOctalString(it.mode())
                    + "\0"
                    + it.uid()
                    + ":"
                    + it.gid()
                    + "\0"
                    + it.link()
                    + "\0")
                .getBytes(StandardCharsets.UTF_8));
        if (it.data() != null) {
          try (InputStream d = Files.newInputStream(it.data())) {
            int n;
            while ((n = d.read(buf)) > 0) {
              sha.update(buf, 0, n);
            }
          }
        }
      }
    }
    return HexFormat.of().formatHex(sha.digest());
  }
}
