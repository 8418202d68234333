package org.sdcdocker.agent.zone;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.sdcdocker.agent.net.ZoneNetwork;
import org.sdcdocker.agent.runtime.ContainerRuntime;
import org.sdcdocker.agent.runtime.SpecFactory;
import org.sdcdocker.protocol.DockerException;
import org.sdcdocker.protocol.ErrorKind;
import org.sdcdocker.protocol.Json;
import org.sdcdocker.protocol.agent.NetStatus;
import org.sdcdocker.protocol.agent.ZoneRecord;
import org.sdcdocker.protocol.agent.ZoneState;

/**
 * A zone's start: its rootfs mounted, volumes seeded, network up, the OCI spec written, the
 * runtime's container made under conmon and started, dockerinit's verdict awaited. A start that
 * fails undoes all of it and records why, as Docker's.
 */
final class ZoneStarter {
  private final ZoneTable table;
  private final ContainerRuntime runtime;
  private final ZoneNetwork net;
  private final ZoneRootfs rootfs;
  private final VolumeStore volumes;
  private final Path nativeDir;
  private final ZoneRuns runs;

  ZoneStarter(
      ZoneTable table,
      ContainerRuntime runtime,
      ZoneNetwork net,
      ZoneRootfs rootfs,
      VolumeStore volumes,
      Path nativeDir,
      ZoneRuns runs) {
    this.table = table;
    this.runtime = runtime;
    this.net = net;
    this.rootfs = rootfs;
    this.volumes = volumes;
    this.nativeDir = nativeDir;
    this.runs = runs;
  }

  /**
   * Starts a zone. An automatic start (a restart policy's) counts in RestartCount; a manual one
   * resets it and the manual-stop mark; a boot start keeps the count.
   */
  ZoneRecord start(String id, boolean automatic, boolean atBoot) {
    Zone z = table.zone(id);
    synchronized (z) {
      table.stillThere(id, z);
      if (z.record.state().running()) {
        return z.record; // Docker answers 304 here; the front end checks first
      }
      z.cancelRestart();
      ZonePaths p = table.paths(id);
      try {
        return run(z, p, automatic, atBoot);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw DockerException.internal("interrupted starting zone %s", id);
      } catch (
          Refused r) { // dockerinit refused the command; failedExec has recorded and cleaned up
        z.replaceProcess(null);
        if (automatic) {
          runs.finishRunAfterFailedRestart(z);
        }
        throw r.reason;
      } catch (IOException | RuntimeException e) {
        z.replaceProcess(null);
        throw undo(z, p, e, automatic);
      }
    }
  }

  private ZoneRecord run(Zone z, ZonePaths p, boolean automatic, boolean atBoot)
      throws IOException, InterruptedException {
    String id = z.id();
    Files.deleteIfExists(runtime.exitFile(id));
    runtime.delete(id);
    rootfs.mount(z.record.spec(), p);
    for (var m : z.record.spec().mounts()) {
      if (m.type().equals("url")) {
        UrlVolumes.checkTarget(p.rootfs(), m);
      }
      if (m.type().equals("volume") && m.from() == null) {
        VolumeStore.seed(
            p.rootfs(),
            m.target(),
            volumes.ensure(z.record.spec().owner(), m.source(), Map.of(), m.anonymous()));
      }
    }
    Path initLog = InitVerdict.logOf(z.record.spec(), p);
    if (Files.isRegularFile(initLog, LinkOption.NOFOLLOW_LINKS)) {
      Files.write(initLog, new byte[0]); // the last run's verdict must not be read as this one's
    }
    ZoneNetwork.Up up = net.up(z.record.spec(), p.dir());
    NetStatus netUp = up.status();
    ZoneFiles.writeMetadata(z.record.spec(), p, up.linkEnv());
    List<SpecFactory.SpecOpt> opts =
        new ArrayList<>(ZoneSpecs.opts(z.record.spec(), p, nativeDir, volumes));
    opts.add(SpecFactory.withNetns(netUp.sandbox()));
    Files.write(p.dir().resolve("config.json"), Json.bytes(SpecFactory.build(opts)));
    if (z.exit.isDone()) {
      z.exit = new CompletableFuture<>(); // an attach made before this start waits on the old one
    }
    var spec = z.record.spec();
    int pid =
        runtime.create(
            id,
            new ContainerRuntime.CreateFiles(
                p.dir(), p.log(), p.pidFile(), p.conmonPidFile(), p.runtimeLog()),
            spec.tty(),
            spec.openStdin(),
            spec.stdinOnce(),
            spec.host().log().readable() ? 0 : spec.host().log().maxSize());
    z.replaceProcess(ZoneProcess.made(pid));
    runtime.start(id);
    String fatal = InitVerdict.await(initLog, runtime.exitFile(id));
    if (fatal != null) {
      throw new Refused(failedExec(z, p, fatal));
    }
    ZoneState before = z.record.state();
    ZoneState started =
        atBoot
            ? before.startedAtBoot(pid, ZoneTable.now())
            : before.started(pid, ZoneTable.now(), automatic);
    ZoneRecord rec = z.record.withState(started).withNet(netUp);
    table.save(z, rec);
    table.publish("start", rec);
    if (Files.exists(runtime.exitFile(id))) {
      runs.onExitLater(id); // it ended already; its end is not the start's to wait for
    }
    return z.record;
  }

  /** Undoes a start that failed before its process ran, records why, and says so as Docker's. */
  private DockerException undo(Zone z, ZonePaths p, Exception e, boolean automatic) {
    String id = z.id();
    String msg = e.getMessage();
    runs.tearDown(id);
    ZoneState st = z.record.state();
    // as Docker: a start that failed before the process ran leaves the status as it was
    ZoneState failedState =
        st.status().equals(ZoneState.CREATED) || st.status().equals(ZoneState.EXITED)
            ? st.notStarted(st.status(), 128, msg)
            : st.failed(128, msg, ZoneTable.now());
    ZoneRecord failed = z.record.withState(failedState);
    table.save(z, failed);
    z.exit.complete(failed.state());
    if (automatic) {
      runs.finishRunAfterFailedRestart(z);
    } else {
      table.publish("update", failed);
    }
    return e instanceof DockerException d ? d : DockerException.internal("starting zone: %s", msg);
  }

  /** A start that dockerinit refused, carried out of the start's try to its one handler. */
  private static final class Refused extends RuntimeException {
    final DockerException reason;

    Refused(DockerException reason) {
      super(reason.getMessage(), null, false, false);
      this.reason = reason;
    }
  }

  /**
   * A start whose command could not run: the zone stays created, with the code and the reason, as
   * Docker's.
   */
  private DockerException failedExec(Zone z, ZonePaths p, String fatalLine)
      throws InterruptedException {
    z.replaceProcess(null);
    int code = InitVerdict.code(fatalLine);
    String reason = InitVerdict.reason(fatalLine);
    String id = z.id();
    for (int i = 0; i < 500 && !Files.exists(runtime.exitFile(id)); i++) {
      Thread.sleep(2);
    }
    runs.tearDown(id);
    ZoneState st = z.record.state();
    ZoneState created = st.notStarted(ZoneState.CREATED, code, reason);
    table.save(z, z.record.withState(created));
    z.exit.complete(created);
    table.publish("update", z.record);
    return new DockerException(
        ErrorKind.INVALID_PARAMETER,
        "failed to create task for container: OCI runtime create failed: runc create failed: unable to start "
            + "container process: error during container init: "
            + reason
            + ": unknown");
  }
}
