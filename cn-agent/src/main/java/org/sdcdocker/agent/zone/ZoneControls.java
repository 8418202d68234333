package org.sdcdocker.agent.zone;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.UnaryOperator;
import org.sdcdocker.agent.runtime.ContainerRuntime;
import org.sdcdocker.protocol.DockerException;
import org.sdcdocker.protocol.agent.AgentRequests;
import org.sdcdocker.protocol.agent.ContainerSpec;
import org.sdcdocker.protocol.agent.HostOptions;
import org.sdcdocker.protocol.agent.ZoneRecord;
import org.sdcdocker.protocol.agent.ZoneState;

/** What changes a zone while it lives, besides its runs: pause, update, resize, rename. */
public final class ZoneControls {
  private final LinuxZoneBackend zones;
  private final ContainerRuntime runtime;

  public ZoneControls(LinuxZoneBackend zones, ContainerRuntime runtime) {
    this.zones = zones;
    this.runtime = runtime;
  }

  /** Freezes or thaws the zone's processes. */
  public ZoneRecord pause(String id, boolean pause) {
    return change(
        id,
        pause ? "pause" : "unpause",
        r -> {
          ZoneState s = r.state();
          if (!s.running()) {
            throw DockerException.conflict("Container %s is not running", id);
          }
          if (pause == s.paused()) {
            throw DockerException.conflict(
                pause ? "Container %s is already paused" : "Container %s is not paused", id);
          }
          try {
            if (pause) {
              runtime.pause(id);
            } else {
              runtime.resume(id);
            }
          } catch (DockerException e) {
            if (zones.ended(id)) { // it exited just now; its exit is being recorded
              throw DockerException.conflict("Container %s is not running", id);
            }
            throw e;
          }
          return r.withState(s.withStatus(pause ? ZoneState.PAUSED : ZoneState.RUNNING));
        });
  }

  /** Changes the limits and restart policy, of the running zone too. */
  public ZoneRecord update(AgentRequests.UpdateZone u) {
    return change(
        u.id(),
        "update",
        r -> {
          ContainerSpec spec = r.spec();
          HostOptions h =
              spec.host()
                  .withLimits(
                      u.memory(),
                      u.memorySwap(),
                      u.memoryReservation(),
                      u.cpuShares(),
                      u.nanoCpus(),
                      u.pidsLimit());
          if (h.memory() > 0 && h.memorySwap() > 0 && h.memorySwap() < h.memory()) {
            throw DockerException.invalid(
                "Minimum memoryswap limit should be larger than memory limit, see usage");
          }
          if (r.state().running()) {
            runtime.update(
                u.id(),
                u.memory() > 0 ? h.memory() : 0,
                h.memorySwap(),
                u.memoryReservation(),
                u.cpuShares(),
                u.nanoCpus(),
                u.pidsLimit());
          }
          return r.withSpec(
              spec.withHost(
                  h, u.restartPolicy() != null ? u.restartPolicy() : spec.restartPolicy()));
        });
  }

  /** Resizes the zone's TTY. */
  public void resize(String id, int height, int width) {
    ZoneRecord r = zones.get(id);
    if (!r.spec().tty()) {
      throw DockerException.conflict("Container %s is not a TTY container", id);
    }
    if (!r.state().running()) {
      throw DockerException.conflict("Container %s is not running", id);
    }
    runtime.resize(zones.paths(id).dir(), height, width);
  }

  /** Gives the zone a new name (the front end checked that it is free). */
  public ZoneRecord rename(String id, String name) {
    return change(id, "rename", r -> r.withSpec(r.spec().withName(name)));
  }

  /**
   * Forgets a link (docker rm --link); its variables and hosts line go at the next start, as
   * Docker's.
   */
  public ZoneRecord unlink(String id, String alias) {
    return change(
        id,
        "update",
        r -> {
          var n = r.spec().network();
          var rest = n.links().stream().filter(l -> !l.alias().equals(alias)).toList();
          return r.withSpec(r.spec().withNetwork(n.withModeAndLinks(n.mode(), rest)));
        });
  }

  private ZoneRecord change(String id, String action, UnaryOperator<ZoneRecord> f) {
    try {
      return zones.change(id, action, (r, dir) -> f.apply(r));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
