package org.sdcdocker.agent.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.sdcdocker.protocol.agent.AgentEvents.Heartbeat;

/** Which nodes each tunnel sends to, as the other agents' heartbeats tell (tunnels recorded). */
class FabricLinksTest {
  /** The kernel's side, remembered: each tunnel's flood list. */
  static final class Recorded implements FabricLinks.Tunnels {
    final Map<Integer, Set<String>> lists = new HashMap<>();

    @Override
    public void ensure(int vni, String bridge, String local) {
      lists.putIfAbsent(vni, new HashSet<>());
    }

    @Override
    public void peers(int vni, Set<String> peers) {
      lists.put(vni, new HashSet<>(peers));
    }

    @Override
    public Set<String> floodList(String dev) {
      return lists.getOrDefault(Integer.parseInt(dev.substring("sdcvx".length())), Set.of());
    }

    @Override
    public void remove(int vni) {
      lists.remove(vni);
    }

    @Override
    public int mtu(String local) {
      return 1450;
    }
  }

  private static Heartbeat hb(String cn, String address, Integer... vnis) {
    return new Heartbeat(
        cn, cn, "linux", 0, 0, 1, 1, "k", "os", "1", false, address, List.of(vnis));
  }

  private final Recorded kernel = new Recorded();
  private final AtomicInteger announced = new AtomicInteger();

  @Test
  void aTunnelSendsToTheNodesThatCarryItsNetwork_asTheirHeartbeatsChange() {
    FabricLinks links = new FabricLinks("10.0.0.1", kernel, announced::incrementAndGet);
    links.heard("cn1", hb("cn2", "10.0.0.2", 5000));
    links.heard("cn1", hb("cn3", "10.0.0.3", 6000));
    links.up(5000, "br");
    assertThat(kernel.lists.get(5000)).containsExactly("10.0.0.2");
    assertThat(links.carried()).containsExactly(5000);
    assertThat(announced).hasValue(1); // the others are told at once
    links.heard("cn1", hb("cn3", "10.0.0.3", 5000, 6000));
    assertThat(kernel.lists.get(5000)).containsExactlyInAnyOrder("10.0.0.2", "10.0.0.3");
    links.heard("cn1", hb("cn2", "10.0.0.2"));
    assertThat(kernel.lists.get(5000)).containsExactly("10.0.0.3");
    links.heard("cn1", hb("cn1", "10.0.0.1", 5000)); // its own: nothing
    links.forget("cn3");
    assertThat(kernel.lists.get(5000)).isEmpty();
    links.down(5000);
    assertThat(kernel.lists).doesNotContainKey(5000);
    assertThat(links.carried()).isEmpty();
    assertThat(announced).hasValue(2);
  }

  @Test
  void afterARestart_whatTheKernelSendsToStays_untilEveryNodeHadTimeToBeHeard() {
    kernel.lists.put(5000, new HashSet<>(Set.of("10.0.0.2", "10.0.0.3")));
    FabricLinks links = new FabricLinks("10.0.0.1", kernel, () -> {});
    links.adopt(5000); // a zone that ran on across the restart
    links.heard("cn1", hb("cn3", "10.0.0.3", 5000));
    assertThat(kernel.lists.get(5000)).containsExactlyInAnyOrder("10.0.0.2", "10.0.0.3");
    FabricLinks settled =
        new FabricLinks(
            "10.0.0.1",
            kernel,
            () -> {},
            System.nanoTime() - (FabricLinks.SETTLE_MS + 1) * 1_000_000);
    settled.adopt(5000);
    settled.heard("cn1", hb("cn3", "10.0.0.3", 5000));
    assertThat(kernel.lists.get(5000)).containsExactly("10.0.0.3"); // cn2 was never heard of
  }
}
