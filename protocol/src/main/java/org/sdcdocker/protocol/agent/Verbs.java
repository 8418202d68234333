package org.sdcdocker.protocol.agent;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.sdcdocker.protocol.agent.AgentRequests.Ack;
import org.sdcdocker.protocol.agent.AgentRequests.ChangeList;
import org.sdcdocker.protocol.agent.AgentRequests.Changes;
import org.sdcdocker.protocol.agent.AgentRequests.CommitResult;
import org.sdcdocker.protocol.agent.AgentRequests.CommitZone;
import org.sdcdocker.protocol.agent.AgentRequests.CreateZone;
import org.sdcdocker.protocol.agent.AgentRequests.DeleteZone;
import org.sdcdocker.protocol.agent.AgentRequests.KillZone;
import org.sdcdocker.protocol.agent.AgentRequests.ListZones;
import org.sdcdocker.protocol.agent.AgentRequests.PathStat;
import org.sdcdocker.protocol.agent.AgentRequests.PauseZone;
import org.sdcdocker.protocol.agent.AgentRequests.RenameZone;
import org.sdcdocker.protocol.agent.AgentRequests.ReserveNode;
import org.sdcdocker.protocol.agent.AgentRequests.ResizeZone;
import org.sdcdocker.protocol.agent.AgentRequests.Sizes;
import org.sdcdocker.protocol.agent.AgentRequests.SizesResult;
import org.sdcdocker.protocol.agent.AgentRequests.StartZone;
import org.sdcdocker.protocol.agent.AgentRequests.StatPath;
import org.sdcdocker.protocol.agent.AgentRequests.Stats;
import org.sdcdocker.protocol.agent.AgentRequests.StatsResult;
import org.sdcdocker.protocol.agent.AgentRequests.StreamTicket;
import org.sdcdocker.protocol.agent.AgentRequests.Ticket;
import org.sdcdocker.protocol.agent.AgentRequests.Top;
import org.sdcdocker.protocol.agent.AgentRequests.TopResult;
import org.sdcdocker.protocol.agent.AgentRequests.Unlink;
import org.sdcdocker.protocol.agent.AgentRequests.UpdateZone;
import org.sdcdocker.protocol.agent.AgentRequests.Where;
import org.sdcdocker.protocol.agent.AgentRequests.WhereResult;
import org.sdcdocker.protocol.agent.AgentRequests.ZoneList;
import org.sdcdocker.protocol.agent.ExecRecords.CreateExec;
import org.sdcdocker.protocol.agent.ExecRecords.ExecState;
import org.sdcdocker.protocol.agent.ExecRecords.InspectExec;
import org.sdcdocker.protocol.agent.ExecRecords.ResizeExec;
import org.sdcdocker.protocol.agent.ExecRecords.StartExecDetached;
import org.sdcdocker.protocol.agent.NetworkRecords.Connect;
import org.sdcdocker.protocol.agent.NetworkRecords.CreateNetwork;
import org.sdcdocker.protocol.agent.NetworkRecords.Disconnect;
import org.sdcdocker.protocol.agent.NetworkRecords.ListNetworks;
import org.sdcdocker.protocol.agent.NetworkRecords.Network;
import org.sdcdocker.protocol.agent.NetworkRecords.NetworkList;
import org.sdcdocker.protocol.agent.NetworkRecords.RemoveNetwork;
import org.sdcdocker.protocol.agent.VolumeRecords.CreateVolume;
import org.sdcdocker.protocol.agent.VolumeRecords.ListVolumes;
import org.sdcdocker.protocol.agent.VolumeRecords.RemoveVolume;
import org.sdcdocker.protocol.agent.VolumeRecords.SizeMap;
import org.sdcdocker.protocol.agent.VolumeRecords.Volume;
import org.sdcdocker.protocol.agent.VolumeRecords.VolumeList;
import org.sdcdocker.protocol.agent.VolumeRecords.VolumeSizes;

/** Every verb of the agents' protocol, in one table: its name, its request and its reply. */
public final class Verbs {
  private Verbs() {}

  // zones
  public static final Verb<CreateZone, ZoneRecord> CREATE =
      v("create", CreateZone.class, ZoneRecord.class);
  public static final Verb<StartZone, ZoneRecord> START =
      v("start", StartZone.class, ZoneRecord.class);
  public static final Verb<KillZone, Ack> KILL = v("kill", KillZone.class, Ack.class);
  public static final Verb<PauseZone, ZoneRecord> PAUSE =
      v("pause", PauseZone.class, ZoneRecord.class);
  public static final Verb<RenameZone, ZoneRecord> RENAME =
      v("rename", RenameZone.class, ZoneRecord.class);
  public static final Verb<Unlink, ZoneRecord> UNLINK = v("unlink", Unlink.class, ZoneRecord.class);
  public static final Verb<UpdateZone, ZoneRecord> UPDATE =
      v("update", UpdateZone.class, ZoneRecord.class);
  public static final Verb<ResizeZone, Ack> RESIZE = v("resize", ResizeZone.class, Ack.class);
  public static final Verb<DeleteZone, Ack> DELETE = v("delete", DeleteZone.class, Ack.class);
  public static final Verb<ListZones, ZoneList> LIST = v("list", ListZones.class, ZoneList.class);
  public static final Verb<ReserveNode, Ack> RESERVE = v("reserve", ReserveNode.class, Ack.class);
  public static final Verb<CommitZone, CommitResult> COMMIT =
      v("commit", CommitZone.class, CommitResult.class);
  // what a zone holds
  public static final Verb<Changes, ChangeList> CHANGES =
      v("changes", Changes.class, ChangeList.class);
  public static final Verb<Top, TopResult> TOP = v("top", Top.class, TopResult.class);
  public static final Verb<Stats, StatsResult> STATS = v("stats", Stats.class, StatsResult.class);
  public static final Verb<Sizes, SizesResult> SIZES = v("sizes", Sizes.class, SizesResult.class);
  public static final Verb<Where, WhereResult> WHERE = v("where", Where.class, WhereResult.class);
  public static final Verb<StatPath, PathStat> STAT = v("stat", StatPath.class, PathStat.class);
  public static final Verb<StreamTicket, Ticket> STREAM =
      v("stream", StreamTicket.class, Ticket.class);
  // execs
  public static final Verb<CreateExec, ExecState> EXEC_CREATE =
      v("exec-create", CreateExec.class, ExecState.class);
  public static final Verb<StartExecDetached, ExecState> EXEC_START =
      v("exec-start", StartExecDetached.class, ExecState.class);
  public static final Verb<InspectExec, ExecState> EXEC_INSPECT =
      v("exec-inspect", InspectExec.class, ExecState.class);
  public static final Verb<ResizeExec, Ack> EXEC_RESIZE =
      v("exec-resize", ResizeExec.class, Ack.class);
  // volumes
  public static final Verb<CreateVolume, Volume> VOLUME_CREATE =
      v("volume-create", CreateVolume.class, Volume.class);
  public static final Verb<ListVolumes, VolumeList> VOLUME_LIST =
      v("volume-list", ListVolumes.class, VolumeList.class);
  public static final Verb<VolumeSizes, SizeMap> VOLUME_SIZES =
      v("volume-sizes", VolumeSizes.class, SizeMap.class);
  public static final Verb<RemoveVolume, Ack> VOLUME_REMOVE =
      v("volume-remove", RemoveVolume.class, Ack.class);
  // networks
  public static final Verb<CreateNetwork, Network> NETWORK_CREATE =
      v("network-create", CreateNetwork.class, Network.class);
  public static final Verb<ListNetworks, NetworkList> NETWORK_LIST =
      v("network-list", ListNetworks.class, NetworkList.class);
  public static final Verb<RemoveNetwork, Ack> NETWORK_REMOVE =
      v("network-remove", RemoveNetwork.class, Ack.class);
  public static final Verb<Connect, ZoneRecord> NETWORK_CONNECT =
      v("network-connect", Connect.class, ZoneRecord.class);
  public static final Verb<Disconnect, ZoneRecord> NETWORK_DISCONNECT =
      v("network-disconnect", Disconnect.class, ZoneRecord.class);

  /** All of them. */
  public static final List<Verb<?, ?>> ALL =
      List.of(
          CREATE,
          START,
          KILL,
          PAUSE,
          RENAME,
          UNLINK,
          UPDATE,
          RESIZE,
          DELETE,
          LIST,
          RESERVE,
          COMMIT,
          CHANGES,
          TOP,
          STATS,
          SIZES,
          STAT,
          WHERE,
          STREAM,
          EXEC_CREATE,
          EXEC_START,
          EXEC_INSPECT,
          EXEC_RESIZE,
          VOLUME_CREATE,
          VOLUME_LIST,
          VOLUME_SIZES,
          VOLUME_REMOVE,
          NETWORK_CREATE,
          NETWORK_LIST,
          NETWORK_REMOVE,
          NETWORK_CONNECT,
          NETWORK_DISCONNECT);

  private static final Map<Class<?>, Verb<?, ?>> BY_REQUEST =
      ALL.stream().collect(Collectors.toUnmodifiableMap(Verb::request, Function.identity()));

  private static <Q extends AgentRequest<R>, R extends Record> Verb<Q, R> v(
      String name, Class<Q> q, Class<R> r) {
    return new Verb<>(name, q, r);
  }

  /** The verb of a request class. */
  static Verb<?, ?> of(Class<?> request) {
    Verb<?, ?> v = BY_REQUEST.get(request);
    if (v == null) {
      throw new IllegalStateException("no verb for " + request.getName());
    }
    return v;
  }
}
