package org.sdcdocker.frontend.cluster;

import java.util.Map;
import org.sdcdocker.protocol.agent.AgentEvents.ZoneEvent;
import org.sdcdocker.protocol.agent.FrontendEvents.DockerEvent;
import org.sdcdocker.protocol.agent.ZoneRecord;

/** The agents' zone events as {@code docker events} shows them, into the event log. */
final class DockerEvents {
  private final EventLog events;
  private final ContainerIndex index;

  /**
   * {@code index}: the containers as they were before the event (a rename's old name, a run's
   * networks).
   */
  DockerEvents(EventLog events, ContainerIndex index) {
    this.events = events;
    this.index = index;
  }

  /** A run's network events, as Docker's: connect when it starts, disconnect when it ends. */
  private void networkEvents(String action, ZoneRecord z, long timeNano) {
    for (var a : z.net().attached()) {
      events.add(
          new DockerEvent(
              z.spec().owner(),
              "network",
              action,
              a.networkId(),
              Map.of("container", z.spec().id(), "name", a.networkName(), "type", "bridge"),
              timeNano));
    }
  }

  /** The zone event as {@code docker events} shows it; internal updates show nothing. */
  void record(ZoneEvent ev) {
    ZoneRecord z = ev.zone();
    switch (ev.action()) {
      case "exec_die" -> events.container("exec_die", z, ev.timeNano(), ev.attributes());
      case "die" -> {
        if (z.state().oomKilled()) {
          events.container("oom", z, ev.timeNano(), Map.of());
        }
        events.container(
            "die", z, ev.timeNano(), Map.of("exitCode", Integer.toString(z.state().exitCode())));
        index.all(z.spec().owner()).stream()
            .filter(r -> r.spec().id().equals(z.spec().id()))
            .findFirst()
            .ifPresent(before -> networkEvents("disconnect", before, ev.timeNano()));
      }
      case "start" -> {
        networkEvents("connect", z, ev.timeNano());
        events.container("start", z, ev.timeNano(), Map.of());
      }
      case "rename" -> {
        String old =
            index.all(z.spec().owner()).stream()
                .filter(r -> r.spec().id().equals(z.spec().id()))
                .map(r -> r.spec().name())
                .findFirst()
                .orElse("");
        events.container("rename", z, ev.timeNano(), Map.of("oldName", "/" + old));
      }
      case "create", "destroy", "pause", "unpause" ->
          events.container(ev.action(), z, ev.timeNano(), Map.of());
      case "health_status" ->
          events.container(
              "health_status: " + z.state().health().status(), z, ev.timeNano(), Map.of());
      default -> {}
    }
  }
}
