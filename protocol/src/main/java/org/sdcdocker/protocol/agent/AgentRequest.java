package org.sdcdocker.protocol.agent;

/**
 * A request a front end sends to one compute node's agent, answered with an {@code R}. The set is
 * closed: each record here has exactly one {@link Verb} in {@link Verbs}, which names its address
 * and its reply type; the codec decodes nothing else.
 */
public sealed interface AgentRequest<R extends Record>
    permits AgentRequests.CreateZone,
        AgentRequests.StartZone,
        AgentRequests.KillZone,
        AgentRequests.PauseZone,
        AgentRequests.ResizeZone,
        AgentRequests.Unlink,
        AgentRequests.RenameZone,
        AgentRequests.DeleteZone,
        AgentRequests.ListZones,
        AgentRequests.ReserveNode,
        AgentRequests.StreamTicket,
        AgentRequests.Changes,
        AgentRequests.Top,
        AgentRequests.UpdateZone,
        AgentRequests.Stats,
        AgentRequests.StatPath,
        AgentRequests.Sizes,
        AgentRequests.Where,
        AgentRequests.CommitZone,
        ExecRecords.CreateExec,
        ExecRecords.StartExecDetached,
        ExecRecords.ResizeExec,
        ExecRecords.InspectExec,
        NetworkRecords.CreateNetwork,
        NetworkRecords.ListNetworks,
        NetworkRecords.RemoveNetwork,
        NetworkRecords.Connect,
        NetworkRecords.Disconnect,
        VolumeRecords.CreateVolume,
        VolumeRecords.ListVolumes,
        VolumeRecords.VolumeSizes,
        VolumeRecords.RemoveVolume {

  /** This request's verb. */
  @SuppressWarnings("unchecked") // Verbs pairs each request class with the reply its type names
  default Verb<?, R> verb() {
    return (Verb<?, R>) Verbs.of(getClass());
  }
}
