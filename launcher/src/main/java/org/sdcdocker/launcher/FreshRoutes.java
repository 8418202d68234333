package org.sdcdocker.launcher;

import com.hazelcast.config.Config;
import io.vertx.core.Completable;
import io.vertx.core.Vertx;
import io.vertx.core.spi.cluster.RegistrationInfo;
import io.vertx.core.spi.cluster.RegistrationListener;
import io.vertx.core.spi.cluster.RegistrationUpdateEvent;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/**
 * The Hazelcast cluster manager, with this member's routes for the addresses it publishes to read
 * again every two seconds.
 *
 * <p>The clustered event bus keeps, per address, the members that registered there, and changes
 * that list when Hazelcast tells it of a registration. A member that misses that one notice (seen
 * here: an agent that joined while a front end was joining never sent that front end a heartbeat)
 * publishes to the old list for as long as it runs. Reading the lists of the few addresses a member
 * publishes to (heartbeats, hellos, the front ends' shared changes) again bounds that to a period.
 */
final class FreshRoutes extends HazelcastClusterManager {
  static final long PERIOD_MS = 2_000;

  private final Set<String> published = ConcurrentHashMap.newKeySet();
  private volatile RegistrationListener routes;

  FreshRoutes(Config config) {
    super(config);
  }

  @Override
  public void registrationListener(RegistrationListener listener) {
    routes = listener;
    super.registrationListener(listener);
  }

  /** Once the member's bus runs: notes each address it publishes to, and keeps their routes. */
  void keep(Vertx vertx) {
    vertx
        .eventBus()
        .addOutboundInterceptor(
            ctx -> {
              if (!ctx.send()) {
                published.add(ctx.message().address());
              }
              ctx.next();
            });
    vertx.setPeriodic(
        PERIOD_MS, PERIOD_MS, t -> refresh(published, routes, this::getRegistrations));
  }

  /**
   * Reads again the registrations of each address in {@code published} whose route {@code routes}
   * holds, and hands it the list (an address no longer routed is left alone; a failed read changes
   * nothing).
   */
  static void refresh(
      Set<String> published,
      RegistrationListener routes,
      BiConsumer<String, Completable<List<RegistrationInfo>>> lookup) {
    if (routes == null) {
      return;
    }
    for (String address : published) {
      if (routes.wantsUpdatesFor(address)) {
        lookup.accept(
            address,
            (registrations, failure) -> {
              if (failure == null && routes.wantsUpdatesFor(address)) {
                routes.registrationsUpdated(new RegistrationUpdateEvent(address, registrations));
              }
            });
      }
    }
  }
}
