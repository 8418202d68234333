package org.sdcdocker.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.vertx.core.Completable;
import io.vertx.core.spi.cluster.RegistrationInfo;
import io.vertx.core.spi.cluster.RegistrationListener;
import io.vertx.core.spi.cluster.RegistrationUpdateEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;

/** A member's routes for what it publishes to are read again, whatever notices it missed. */
class FreshRoutesTest {
  private static RegistrationInfo at(String node) {
    return new RegistrationInfo(node, 1, false);
  }

  /** Routes held for some addresses; the updates handed to it. */
  private static final class Routes implements RegistrationListener {
    final Set<String> held;
    final List<RegistrationUpdateEvent> updates = new ArrayList<>();

    Routes(Set<String> held) {
      this.held = held;
    }

    @Override
    public boolean wantsUpdatesFor(String address) {
      return held.contains(address);
    }

    @Override
    public void registrationsUpdated(RegistrationUpdateEvent event) {
      updates.add(event);
    }
  }

  @Test
  void eachHeldAddress_getsItsCurrentRegistrations_othersAreNotRead() {
    Map<String, List<RegistrationInfo>> cluster =
        Map.of(
            "cn.heartbeat", List.of(at("fe1"), at("fe2")),
            "fe.images", List.of(at("fe1")),
            "cn.hello", List.of(at("cn2")));
    List<String> read = new ArrayList<>();
    BiConsumer<String, Completable<List<RegistrationInfo>>> lookup =
        (address, done) -> {
          read.add(address);
          done.succeed(cluster.get(address));
        };
    Routes routes = new Routes(Set.of("cn.heartbeat", "fe.images"));
    FreshRoutes.refresh(Set.of("cn.heartbeat", "fe.images", "cn.hello"), routes, lookup);
    assertThat(read).containsExactlyInAnyOrder("cn.heartbeat", "fe.images");
    assertThat(routes.updates)
        .extracting(RegistrationUpdateEvent::address, e -> e.registrations().size())
        .containsExactlyInAnyOrder(tuple("cn.heartbeat", 2), tuple("fe.images", 1));
  }

  @Test
  void aFailedRead_changesNothing_andNoRoutesYet_readsNothing() {
    Routes routes = new Routes(Set.of("cn.heartbeat"));
    FreshRoutes.refresh(
        Set.of("cn.heartbeat"), routes, (address, done) -> done.fail("partition moving"));
    assertThat(routes.updates).isEmpty();
    List<String> read = new ArrayList<>();
    FreshRoutes.refresh(Set.of("cn.heartbeat"), null, (address, done) -> read.add(address));
    assertThat(read).isEmpty();
  }
}
