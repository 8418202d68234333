package org.sdcdocker.agent.zone;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.sdcdocker.agent.runtime.ContainerRuntime;
import org.sdcdocker.protocol.DockerException;
import org.sdcdocker.protocol.agent.ZoneRecord;

/**
 * docker commit on the node: the zone's changes as a layer file in its directory, for the front end
 * to fetch.
 */
public final class ZoneCommit {
  private final LinuxZoneBackend zones;
  private final ContainerRuntime runtime;

  public ZoneCommit(LinuxZoneBackend zones, ContainerRuntime runtime) {
    this.zones = zones;
    this.runtime = runtime;
  }

  /** The layer file's name in the zone's directory and what was written. */
  public record Made(String file, LayerWriter.Written layer) {
    public String digest() {
      return layer.digest();
    }

    public String diffId() {
      return layer.diffId();
    }

    public long size() {
      return layer.size();
    }
  }

  /**
   * Writes the layer; with {@code pause} a running zone is frozen meanwhile (as docker commit
   * --pause), under the zone's lock from freeze to thaw, so no pause, unpause or kill of a client
   * meets a freeze it cannot see.
   */
  public Made commit(String id, boolean pause) throws IOException {
    if (!pause) {
      return write(id);
    }
    try {
      return zones.locked(
          id,
          now -> {
            boolean freeze = now.state().running() && !now.state().paused() && freeze(id);
            try {
              return write(id);
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            } finally {
              if (freeze) {
                thaw(id);
              }
            }
          });
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  private boolean freeze(String id) {
    try {
      runtime.pause(id);
      return true;
    } catch (DockerException e) {
      if (zones.ended(id)) {
        return false; // it exited meanwhile: nothing to freeze
      }
      throw e;
    }
  }

  private void thaw(String id) {
    try {
      runtime.resume(id);
    } catch (DockerException e) {
      if (!zones.ended(id)) {
        throw e;
      }
    }
  }

  private Made write(String id) throws IOException {
    ZoneRecord r = zones.get(id);
    ZonePaths p = zones.paths(id);
    Set<String> excluded = new HashSet<>(ZoneInspector.ours());
    r.spec().mounts().forEach(m -> excluded.add(m.target()));
    String name = "commit-" + Long.toHexString(System.nanoTime()) + ".tar.gz";
    Path out = p.dir().resolve(name);
    try {
      return new Made(name, LayerWriter.write(p.upper(), excluded, out));
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(out);
      if (e instanceof DockerException d) {
        throw d;
      }
      zones.get(id); // removed meanwhile: No such container
      throw DockerException.internal(
          "committing container %s: %s", id, DockerException.reason(e)); // no host path
    }
  }

  /** The layer file of a commit, when the name is one this class made. */
  public static Path file(ZonePaths p, String name) {
    if (name == null || !name.matches("commit-[0-9a-f]+\\.tar\\.gz")) {
      throw DockerException.invalid("no such commit layer: %s", name);
    }
    return p.dir().resolve(name);
  }
}
