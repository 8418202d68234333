package org.sdcdocker.agent.zone;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.sdcdocker.agent.image.Trees;
import org.sdcdocker.protocol.DockerException;
import org.sdcdocker.protocol.Json;
import org.sdcdocker.protocol.agent.VolumeRecords.Volume;

/**
 * The local volumes of this compute node, per account: {@code volumes/<account>/<name>/_data} with
 * the volume's record beside it (written whole). A volume's data is removed only by an explicit
 * remove.
 */
public final class VolumeStore {
  private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]+");

  private final Path root;

  VolumeStore(Path root) throws IOException {
    this.root = root;
    Files.createDirectories(root);
  }

  private Path dir(String owner, String name) {
    if (!NAME.matcher(name).matches()) {
      throw DockerException.invalid(
          "create %s: \"%s\" includes invalid characters for a local volume name, only "
              + "\"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host directory, use absolute path",
          name, name);
    }
    return root.resolve(owner.replaceAll("[^a-zA-Z0-9_.-]", "_")).resolve(name);
  }

  /** The volume, created when missing (as Docker creates a named volume a container names). */
  public synchronized Volume ensure(
      String owner, String name, Map<String, String> labels, boolean anonymous) throws IOException {
    Path d = dir(owner, name);
    Path rec = d.resolve("volume.json");
    if (Files.exists(rec)) {
      return Json.decode(Files.readAllBytes(rec), Volume.class);
    }
    Files.createDirectories(d.resolve("_data"));
    Volume v =
        new Volume(
            name,
            owner,
            "local",
            labels,
            Instant.now().toString(),
            d.resolve("_data").toString(),
            anonymous);
    Path tmp = d.resolve("volume.json.tmp");
    Files.write(tmp, Json.bytes(v));
    Files.move(tmp, rec, StandardCopyOption.ATOMIC_MOVE);
    return v;
  }

  /** Where a volume's data is. */
  Path dataOf(String owner, String name) {
    return dir(owner, name).resolve("_data");
  }

  /** Every volume of an account. */
  public synchronized List<Volume> list(String owner) throws IOException {
    List<Volume> out = new ArrayList<>();
    Path d = root.resolve(owner.replaceAll("[^a-zA-Z0-9_.-]", "_"));
    if (!Files.isDirectory(d)) {
      return out;
    }
    try (var s = Files.list(d)) {
      for (Path v : (Iterable<Path>) s::iterator) {
        Path rec = v.resolve("volume.json");
        if (Files.exists(rec)) {
          out.add(Json.decode(Files.readAllBytes(rec), Volume.class));
        }
      }
    }
    return out;
  }

  public synchronized void remove(String owner, String name) throws IOException {
    Path d = dir(owner, name);
    if (!Files.exists(d.resolve("volume.json"))) {
      throw DockerException.notFound("get %s: no such volume", name);
    }
    Files.delete(d.resolve("volume.json")); // first: a half-removed volume is no longer listed
    Trees.delete(d);
  }

  /** Docker copies the image's files at the mount point into a new, empty volume; once. */
  static void seed(Path rootfs, String target, Volume v) throws IOException {
    Path data = Path.of(v.mountpoint());
    Path marker = data.getParent().resolve("seeded");
    if (Files.exists(marker)) {
      return;
    }
    Path from = InRoot.resolve(rootfs, target);
    boolean empty;
    try (var s = Files.list(data)) {
      empty = s.findAny().isEmpty();
    }
    if (empty && Files.isDirectory(from, LinkOption.NOFOLLOW_LINKS)) {
      try {
        new ProcessBuilder("cp", "-a", from + "/.", data.toString())
            .inheritIO()
            .start()
            .waitFor(60, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException(
            "interrupted while copying the image's files into volume " + v.name());
      }
    }
    Files.writeString(marker, "");
  }
}
