package org.sdcdocker.protocol.agent;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The requests the front end sends to an agent, each on {@code cn.<uuid>.<verb>}. */
public final class AgentRequests {
  private AgentRequests() {}

  /** Create a zone; the agent fetches missing layers from {@code blobSource}. */
  public record CreateZone(ContainerSpec spec, String blobSource)
      implements AgentRequest<ZoneRecord> {}

  /** Start a created or exited zone. */
  public record StartZone(String id) implements AgentRequest<ZoneRecord> {}

  /** Send a signal (a number) to the zone's first process; a user's kill or stop is manual. */
  public record KillZone(String id, int signal, boolean manual) implements AgentRequest<Ack> {}

  /** Freeze (pause) or thaw (unpause) every process of the zone. */
  public record PauseZone(String id, boolean pause) implements AgentRequest<ZoneRecord> {}

  /** Resize the zone's TTY. */
  public record ResizeZone(String id, int height, int width) implements AgentRequest<Ack> {}

  /** Remove a legacy link (by its alias) from the zone: docker rm --link. */
  public record Unlink(String id, String alias) implements AgentRequest<ZoneRecord> {}

  /** Give the zone a new name. */
  public record RenameZone(String id, String name) implements AgentRequest<ZoneRecord> {}

  /**
   * Remove a zone; with force a running one is killed first; with volumes its anonymous volumes go
   * too.
   */
  public record DeleteZone(String id, boolean force, boolean volumes) implements AgentRequest<Ack> {
    public DeleteZone(String id, boolean force) {
      this(id, force, false);
    }
  }

  /**
   * List every zone of this agent. {@code known}: the zones the asking front end holds of this node
   * already, id to version; those still at that version are answered by id only (a node that comes
   * back after a restart sends what changed, not every record again).
   */
  public record ListZones(Map<String, Long> known) implements AgentRequest<ZoneList> {
    public ListZones {
      known = known == null ? Map.of() : known;
    }

    public ListZones() {
      this(Map.of());
    }
  }

  /**
   * Takes the node out of placement ({@code reserved}: no new containers go to it; those it has run
   * on) or puts it back. The agent keeps it on its disk and says it in its heartbeats.
   */
  public record ReserveNode(boolean reserved) implements AgentRequest<Ack> {}

  /**
   * The zones of an agent: {@code zones}, the records the asker lacks or holds at another version;
   * {@code unchanged}, the ids of the others (the asker's records of them are current).
   */
  public record ZoneList(List<ZoneRecord> zones, List<String> unchanged) {
    public ZoneList {
      zones = zones == null ? List.of() : List.copyOf(zones);
      unchanged = unchanged == null ? List.of() : List.copyOf(unchanged);
    }

    public ZoneList(List<ZoneRecord> zones) {
      this(zones, List.of());
    }

    /** The answer to {@code asked}, from every zone the node has. */
    public static ZoneList answering(ListZones asked, List<ZoneRecord> all) {
      List<ZoneRecord> sent = new ArrayList<>();
      List<String> same = new ArrayList<>();
      for (ZoneRecord r : all) {
        Long held = asked.known().get(r.spec().id());
        if (held != null && held == r.version()) {
          same.add(r.spec().id());
        } else {
          sent.add(r);
        }
      }
      return new ZoneList(sent, same);
    }
  }

  /** Ask for a one-time URL of the data-plane endpoint, for a byte stream of a zone. */
  public record StreamTicket(String id, String kind, String query)
      implements AgentRequest<Ticket> {}

  /** A one-time URL on the agent's data-plane endpoint. */
  public record Ticket(String url) {}

  /** The zone's filesystem changes. */
  public record Changes(String id) implements AgentRequest<ChangeList> {}

  /** One change: its path and Docker's kind (0 changed, 1 added, 2 deleted). */
  public record Change(String path, int kind) {}

  /** The changes of a zone. */
  public record ChangeList(List<Change> changes) {
    public ChangeList {
      changes = changes == null ? List.of() : List.copyOf(changes);
    }
  }

  /** The zone's processes as {@code ps ARGS} shows them. */
  public record Top(String id, String psArgs) implements AgentRequest<TopResult> {}

  /** ps's titles and the rows of the zone's processes. */
  public record TopResult(List<String> titles, List<List<String>> processes) {}

  /** Change the limits (0: leave) and the restart policy (null: leave) of a zone. */
  public record UpdateZone(
      String id,
      long memory,
      long memorySwap,
      long memoryReservation,
      long cpuShares,
      long nanoCpus,
      long pidsLimit,
      RestartPolicy restartPolicy)
      implements AgentRequest<ZoneRecord> {}

  /** Resource usage of a running zone, read from its cgroups. */
  public record Stats(String id) implements AgentRequest<StatsResult> {}

  /** Counters of a zone at one moment. */
  public record StatsResult(
      long cpuTotalNanos,
      long systemCpuNanos,
      int onlineCpus,
      long memoryUsage,
      long memoryLimit,
      long memoryCache,
      long pids,
      long pidsLimit,
      long blkioReadBytes,
      long blkioWriteBytes,
      String read,
      Map<String, NetCounters> networks) {
    public StatsResult {
      networks = networks == null ? Map.of() : Map.copyOf(networks);
    }
  }

  /** One interface's counters, as /proc/net/dev has them. */
  public record NetCounters(
      long rxBytes,
      long rxPackets,
      long rxErrors,
      long rxDropped,
      long txBytes,
      long txPackets,
      long txErrors,
      long txDropped) {}

  /** The stat of a path in a zone, for docker cp. */
  public record StatPath(String id, String path) implements AgentRequest<PathStat> {}

  /** A path's stat as Docker's X-Docker-Container-Path-Stat header carries it. */
  public record PathStat(String name, long size, long mode, String mtime, String linkTarget) {}

  /** Where a zone is on its node, for an operator (sdc-dockeradm container where). */
  public record Where(String id) implements AgentRequest<WhereResult> {}

  /**
   * A zone's directory, the host path of its {@code /var/log/sdc-dockerinit.log}, its conmon's pid
   * and its first process's (0 when none runs).
   */
  public record WhereResult(String zoneDirectory, String initLog, long conmonPid, long pid) {}

  /** The sizes of a zone's files. */
  public record Sizes(String id) implements AgentRequest<SizesResult> {}

  /** What the zone wrote (SizeRw) and all of its files with the image's (SizeRootFs), in bytes. */
  public record SizesResult(long sizeRw, long sizeRootFs) {}

  /**
   * Make a layer of the zone's changes (docker commit), the zone frozen meanwhile when {@code
   * pause}.
   */
  public record CommitZone(String id, boolean pause) implements AgentRequest<CommitResult> {}

  /** The layer made: its blob digest, diff id and size, and where to fetch it once. */
  public record CommitResult(String digest, String diffId, long size, String url) {}

  /** Nothing to return. */
  public record Ack() {}
}
