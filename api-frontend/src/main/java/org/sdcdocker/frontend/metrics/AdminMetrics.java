package org.sdcdocker.frontend.metrics;

import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.sdcdocker.frontend.cluster.Containers;
import org.sdcdocker.protocol.agent.ZoneRecord;

/**
 * The Prometheus text a front end's admin socket serves at {@code /metrics}: what {@link
 * FrontendMetrics} recorded, the JVM's memory and threads, and, read at each scrape, the containers
 * by state and node and each node's heartbeat age, memory and what its containers reserve of it.
 */
public final class AdminMetrics {
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Containers containers;
  private final MultiGauge byState;
  private final MultiGauge heartbeatAge;
  private final MultiGauge memory;
  private final MultiGauge reserved;
  private final MultiGauge live;

  public AdminMetrics(Containers containers) {
    this.containers = containers;
    Metrics.addRegistry(registry);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    byState = gauge("sdc.containers", "containers by state and compute node", null);
    heartbeatAge =
        gauge("sdc.node.heartbeat.age", "seconds since the node's last heartbeat", "seconds");
    memory = gauge("sdc.node.memory", "the node's memory", "bytes");
    reserved = gauge("sdc.node.reserved.memory", "memory the node's containers reserve", "bytes");
    live = gauge("sdc.node.live", "1 while the node's agent is heard from", null);
  }

  private MultiGauge gauge(String name, String description, String unit) {
    return MultiGauge.builder(name).description(description).baseUnit(unit).register(registry);
  }

  /** The text to serve: the gauges read now, then every meter. */
  public String scrape() {
    Map<List<String>, Integer> counts =
        new TreeMap<>((a, b) -> String.join(" ", a).compareTo(String.join(" ", b)));
    for (ZoneRecord r : containers.all()) {
      counts.merge(List.of(r.cnUuid(), r.state().status()), 1, Integer::sum);
    }
    List<MultiGauge.Row<?>> states = new ArrayList<>();
    counts.forEach(
        (k, n) -> states.add(MultiGauge.Row.of(Tags.of("node", k.get(0), "state", k.get(1)), n)));
    byState.register(states, true);
    List<MultiGauge.Row<?>> age = new ArrayList<>();
    List<MultiGauge.Row<?>> mem = new ArrayList<>();
    List<MultiGauge.Row<?>> res = new ArrayList<>();
    List<MultiGauge.Row<?>> up = new ArrayList<>();
    for (Containers.Node n : containers.knownNodes()) {
      Tags t = Tags.of("node", n.heartbeat().cnUuid(), "hostname", n.heartbeat().hostname());
      age.add(MultiGauge.Row.of(t, n.lastHeardSeconds()));
      mem.add(MultiGauge.Row.of(t, n.heartbeat().memoryBytes()));
      res.add(MultiGauge.Row.of(t, n.reservedMemory()));
      up.add(MultiGauge.Row.of(t, n.live() ? 1 : 0));
    }
    heartbeatAge.register(age, true);
    memory.register(mem, true);
    reserved.register(res, true);
    live.register(up, true);
    return registry.scrape();
  }
}
