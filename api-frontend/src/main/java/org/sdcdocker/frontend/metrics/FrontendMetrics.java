package org.sdcdocker.frontend.metrics;

import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;

/**
 * What the front end measures as it works, for {@code GET /metrics} on its admin socket: the API's
 * requests by route and status, its requests to the agents by verb and node, creates and pulls.
 * Recorded on Micrometer's global registry, which the admin socket's Prometheus registry joins
 * ({@link AdminMetrics}); with no registry joined, recording is a no-op. What is a state rather
 * than an event (containers by state, nodes' heartbeats and memory) is read when scraped.
 */
public final class FrontendMetrics {
  private FrontendMetrics() {}

  /** One API request: its method, route (the path's pattern, never the ids in it), status. */
  public static void apiRequest(String method, String route, int status, long nanos) {
    Timer.builder("sdc.api.requests")
        .description("Docker Engine API requests, by route and status")
        .tag("method", method)
        .tag("route", route)
        .tag("status", Integer.toString(status))
        .register(Metrics.globalRegistry)
        .record(nanos, TimeUnit.NANOSECONDS);
  }

  /** One request to a compute node's agent over the event bus. */
  public static void agentRequest(String verb, String node, boolean ok, long nanos) {
    Timer.builder("sdc.agent.requests")
        .description("requests to the compute nodes' agents over the event bus, by verb and node")
        .tag("verb", verb)
        .tag("node", node)
        .tag("outcome", ok ? "ok" : "failed")
        .register(Metrics.globalRegistry)
        .record(nanos, TimeUnit.NANOSECONDS);
  }

  /** A container create through this front end, made or refused. */
  public static void create(boolean ok) {
    Metrics.counter("sdc.creates", "outcome", ok ? "ok" : "failed").increment();
  }

  /** An image pull through this front end, and the bytes of the blobs it fetched. */
  public static void pull(boolean ok, long bytes) {
    Metrics.counter("sdc.pulls", "outcome", ok ? "ok" : "failed").increment();
    if (bytes > 0) {
      Metrics.counter("sdc.pull.bytes").increment(bytes);
    }
  }
}
