package org.sdcdocker.agent.zone;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.sdcdocker.agent.image.LayerCache;
import org.sdcdocker.agent.sys.MountNative;
import org.sdcdocker.protocol.agent.ContainerSpec;
import org.sdcdocker.protocol.agent.LayerRef;

/**
 * A zone's files: its overlayfs rootfs over the cached layers, and where a path of it really is.
 */
final class ZoneRootfs {
  private final LayerCache layers;
  private final VolumeStore volumes;

  ZoneRootfs(LayerCache layers, VolumeStore volumes) {
    this.layers = layers;
    this.volumes = volumes;
  }

  /** Mounts the zone's rootfs: its upper directory over its image's layers (topmost first). */
  void mount(ContainerSpec spec, ZonePaths p) throws IOException {
    List<String> lower = new ArrayList<>();
    for (LayerRef l : spec.layers()) {
      lower.add(0, layers.ensure(l, "").toString()); // cached at create
    }
    if (lower.isEmpty()) {
      Path empty = p.dir().resolve("empty");
      Files.createDirectories(empty);
      lower.add(empty.toString());
    }
    String data =
        "lowerdir=" + String.join(":", lower) + ",upperdir=" + p.upper() + ",workdir=" + p.work();
    unmount(p);
    MountNative.mount("overlay", p.rootfs().toString(), "overlay", 0, data);
  }

  static void unmount(ZonePaths p) {
    MountNative.umount(p.rootfs().toString(), MountNative.MNT_DETACH);
  }

  /** A path of a zone in a mount of it: the mount's root on the host and the path under it. */
  record Located(Path root, String rest, String name) {}

  /**
   * Where a path of the zone really is when it is at or under a volume's (or bound directory's)
   * mount point; null when it is in the merged rootfs (as docker cp sees it).
   */
  Located locate(ContainerSpec spec, String path) {
    String clean =
        path.endsWith("/") && path.length() > 1 ? path.substring(0, path.length() - 1) : path;
    var mount =
        spec.mounts().stream()
            .filter(m -> !m.type().equals("url"))
            .filter(m -> clean.equals(m.target()) || clean.startsWith(m.target() + "/"))
            .max(Comparator.comparingInt(m -> m.target().length()));
    String name = clean.equals("/") ? "/" : clean.substring(clean.lastIndexOf('/') + 1);
    if (mount.isEmpty()) {
      return new Located(null, path, name);
    }
    var m = mount.get();
    Path root =
        m.type().equals("volume") ? volumes.dataOf(spec.owner(), m.source()) : Path.of(m.source());
    String rest = clean.substring(m.target().length());
    return new Located(root, rest.isEmpty() ? "/" : rest, name);
  }
}
