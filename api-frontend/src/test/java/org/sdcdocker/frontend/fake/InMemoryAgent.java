package org.sdcdocker.frontend.fake;

import io.vertx.core.Vertx;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.sdcdocker.bus.AgentBus;
import org.sdcdocker.protocol.DockerException;
import org.sdcdocker.protocol.agent.Addresses;
import org.sdcdocker.protocol.agent.AgentEvents.Heartbeat;
import org.sdcdocker.protocol.agent.AgentEvents.ZoneEvent;
import org.sdcdocker.protocol.agent.AgentRequests.Ack;
import org.sdcdocker.protocol.agent.AgentRequests.ZoneList;
import org.sdcdocker.protocol.agent.NetworkRecords.NetworkList;
import org.sdcdocker.protocol.agent.Verbs;
import org.sdcdocker.protocol.agent.VolumeRecords.VolumeList;
import org.sdcdocker.protocol.agent.ZoneRecord;
import org.sdcdocker.protocol.agent.ZoneState;

/**
 * A compute node's agent without zones of processes: its zones are records in memory, a start makes
 * them run at once, a kill ends them. It answers the zone verbs on the event bus as the real agent
 * does, so a front end's endpoints can be tested in seconds without root.
 */
public final class InMemoryAgent {
  public static final String CN = "00000000-0000-4000-8000-00000000c0de";

  private final Vertx vertx;
  private final Map<String, ZoneRecord> zones = new ConcurrentHashMap<>();
  private int pids = 100;

  public InMemoryAgent(Vertx vertx) {
    this.vertx = vertx;
  }

  /** Answers the verbs, and says hello as agents do. */
  public void start() {
    AgentBus.serve(
        vertx,
        CN,
        Verbs.CREATE,
        r -> publish("create", put(new ZoneRecord(CN, r.spec(), ZoneState.created()))),
        InMemoryAgent::asIs);
    AgentBus.serve(
        vertx,
        CN,
        Verbs.START,
        r -> {
          ZoneRecord z = zone(r.id());
          return z.state().running()
              ? z
              : publish("start", put(z.withState(z.state().started(pids++, now()))));
        },
        InMemoryAgent::asIs);
    AgentBus.serve(
        vertx,
        CN,
        Verbs.KILL,
        r -> {
          ZoneRecord z = zone(r.id());
          if (!z.state().running()) {
            throw DockerException.conflict("Container %s is not running", r.id());
          }
          publish("die", put(z.withState(z.state().exited(128 + r.signal(), now()))));
          return new Ack();
        },
        InMemoryAgent::asIs);
    AgentBus.serve(
        vertx,
        CN,
        Verbs.PAUSE,
        r -> {
          ZoneRecord z = zone(r.id());
          if (!z.state().running()) {
            throw DockerException.conflict("Container %s is not running", r.id());
          }
          if (r.pause() == z.state().paused()) {
            throw DockerException.conflict(
                r.pause() ? "Container %s is already paused" : "Container %s is not paused",
                r.id());
          }
          String status = r.pause() ? ZoneState.PAUSED : ZoneState.RUNNING;
          return publish(
              r.pause() ? "pause" : "unpause", put(z.withState(z.state().withStatus(status))));
        },
        InMemoryAgent::asIs);
    AgentBus.serve(
        vertx,
        CN,
        Verbs.DELETE,
        r -> {
          ZoneRecord z = zone(r.id());
          if (z.state().running() && !r.force()) {
            throw DockerException.conflict(
                "cannot remove container %s: container is running: stop the container before removing "
                    + "or force remove",
                r.id());
          }
          zones.remove(r.id());
          publish("destroy", z);
          return new Ack();
        },
        InMemoryAgent::asIs);
    AgentBus.serve(
        vertx,
        CN,
        Verbs.RENAME,
        r -> publish("rename", put(zone(r.id()).withSpec(zone(r.id()).spec().withName(r.name())))),
        InMemoryAgent::asIs);
    AgentBus.serve(
        vertx,
        CN,
        Verbs.UPDATE,
        r -> {
          var spec = zone(r.id()).spec();
          var policy = r.restartPolicy() != null ? r.restartPolicy() : spec.restartPolicy();
          return publish("update", put(zone(r.id()).withSpec(spec.withHost(spec.host(), policy))));
        },
        InMemoryAgent::asIs);
    AgentBus.serve(
        vertx,
        CN,
        Verbs.LIST,
        r -> new ZoneList(zones.values().stream().toList()),
        InMemoryAgent::asIs);
    AgentBus.serve(
        vertx, CN, Verbs.VOLUME_LIST, r -> new VolumeList(List.of()), InMemoryAgent::asIs);
    AgentBus.serve(
        vertx, CN, Verbs.NETWORK_LIST, r -> new NetworkList(List.of()), InMemoryAgent::asIs);
    vertx.eventBus().consumer(Addresses.HELLO, m -> heartbeat());
    vertx.setPeriodic(2000, t -> heartbeat()); // as a real agent: live while it beats
    heartbeat();
  }

  /** The zones this agent holds. */
  public Map<String, ZoneRecord> zones() {
    return zones;
  }

  private void heartbeat() {
    int running = (int) zones.values().stream().filter(z -> z.state().running()).count();
    vertx
        .eventBus()
        .publish(
            Addresses.HEARTBEAT,
            new Heartbeat(
                CN,
                "fake-cn",
                "linux",
                zones.size(),
                running,
                2,
                8L << 30,
                "6.1.0",
                "Debian GNU/Linux 12 (bookworm)",
                "fake-1",
                false,
                null,
                List.of()));
  }

  private ZoneRecord zone(String id) {
    ZoneRecord z = zones.get(id);
    if (z == null) {
      throw DockerException.notFound("No such container: %s", id);
    }
    return z;
  }

  private ZoneRecord put(ZoneRecord z) {
    zones.put(z.spec().id(), z);
    return z;
  }

  private ZoneRecord publish(String action, ZoneRecord z) {
    Instant i = Instant.now();
    vertx
        .eventBus()
        .publish(
            Addresses.ZONE_EVENTS,
            new ZoneEvent(action, z, i.getEpochSecond() * 1_000_000_000L + i.getNano(), Map.of()));
    return z;
  }

  private static String now() {
    return Instant.now().toString();
  }

  private static DockerException asIs(String verb, Throwable e) {
    return DockerException.of(e);
  }
}
