package org.sdcdocker.agent.zone;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.sdcdocker.agent.image.Trees;
import org.sdcdocker.agent.runtime.ContainerRuntime;
import org.sdcdocker.protocol.DockerException;

/**
 * A zone's removal: a running one killed first (with force), then its runtime state, mount, network
 * and directory, its record first of all, so an agent killed half-way leaves only a directory
 * without a record, which its next start finishes removing.
 */
final class ZoneRemoval {
  private final ZoneTable table;
  private final ContainerRuntime runtime;
  private final VolumeStore volumes;
  private final ZoneRuns runs;

  ZoneRemoval(ZoneTable table, ContainerRuntime runtime, VolumeStore volumes, ZoneRuns runs) {
    this.table = table;
    this.runtime = runtime;
    this.volumes = volumes;
    this.runs = runs;
  }

  /** Removes a zone; with {@code withVolumes} its anonymous volumes no other zone uses go too. */
  void delete(String id, boolean force, boolean withVolumes) {
    Zone z = table.zone(id);
    boolean killed;
    synchronized (z) { // the state read and the kill that depends on it, in one step
      table.stillThere(id, z);
      z.cancelRestart();
      killed = z.record.state().running();
      if (killed) {
        if (!force) {
          throw DockerException.conflict(
              "cannot remove container %s: container is running: stop the container "
                  + "before removing or force remove",
              id);
        }
        table.save(z, z.record.withState(z.record.state().stoppedByUser()));
        runs.signal(z, 9);
      }
    }
    if (killed) {
      try {
        z.exit.get(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        runs.onExit(id);
      }
    }
    synchronized (z) {
      table.stillThere(id, z); // a removal that ran meanwhile has done it all
      z.cancelRestart();
      z.replaceProcess(null); // its pidfd goes with it, whatever became of the run
      table.remove(id);
      cleanupDir(id);
      if (withVolumes) {
        removeAnonymousVolumes(z);
      }
      table.publish("destroy", z.record);
    }
  }

  private void removeAnonymousVolumes(Zone z) {
    String owner = z.record.spec().owner();
    for (var m : z.record.spec().mounts()) {
      if (m.type().equals("volume")
          && m.anonymous()
          && table.usersOf(owner, m.source()).isEmpty()) {
        try {
          volumes.remove(owner, m.source());
        } catch (IOException | DockerException e) {
          // left for volume prune
        }
      }
    }
  }

  /**
   * Removes everything of a zone but its place in the table: record, runtime state, mount, network,
   * files.
   */
  void cleanupDir(String id) {
    ZonePaths p = table.paths(id);
    try {
      // the record goes first: an agent killed from here on leaves a directory without a record,
      // which the next start finishes removing, never a record whose directory is half gone
      Files.deleteIfExists(p.record());
    } catch (IOException e) {
      throw DockerException.internal("removing zone %s: %s", id, e.getMessage());
    }
    runs.tearDown(id);
    try {
      Files.deleteIfExists(runtime.exitFile(id));
      runtime.removeSocketLink(id);
      if (Files.isDirectory(p.dir())) {
        try (var d =
            Files.list(p.dir())) { // execs under their own conmon, whose ends nobody recorded
          for (Path e : d.filter(x -> x.getFileName().toString().startsWith("exec-")).toList()) {
            runtime.removeSocketLink(e.getFileName().toString().substring(5));
          }
        }
      }
      Trees.delete(p.dir());
    } catch (IOException e) {
      throw DockerException.internal("removing zone %s: %s", id, e.getMessage());
    }
  }
}
