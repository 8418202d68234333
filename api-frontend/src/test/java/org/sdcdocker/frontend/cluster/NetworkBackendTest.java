package org.sdcdocker.frontend.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.sdcdocker.protocol.agent.FrontendRequests.LookupName;
import org.sdcdocker.protocol.agent.NetStatus;
import org.sdcdocker.protocol.agent.NetworkSpec;
import org.sdcdocker.protocol.agent.NetworkSpec.Endpoint;
import org.sdcdocker.protocol.agent.ZoneRecord;
import org.sdcdocker.protocol.agent.ZoneState;

/** What the front ends answer a node's resolver about a fleet-wide network's other members. */
class NetworkBackendTest {
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    vertx.close().await();
  }

  /** A running container of {@code owner} attached to network {@code net} at {@code ip}. */
  private static ZoneRecord on(
      String id,
      String name,
      String owner,
      String net,
      String ip,
      List<String> aliases,
      List<String> links) {
    ZoneRecord r = ContainerIndexTest.rec(id, name, owner, ZoneState.created().started(5, "t"));
    Endpoint e = new Endpoint("app", net, aliases, null, null).withSettings(links, null, null);
    return r.withSpec(r.spec().withNetwork(NetworkSpec.DEFAULT.withEndpoints(List.of(e))))
        .withNet(
            new NetStatus(
                "/run/netns/x",
                List.of(new NetStatus.Attached(net, "app", "eth0", ip, 24, "10.9.0.1", "m")),
                List.of()));
  }

  @Test
  void namesAliasesShortIdsAndTheAskersLinks_resolveOnTheNetworkOnly() throws Exception {
    ContainerIndex index = new ContainerIndex();
    NetworkBackend b =
        new NetworkBackend(
            vertx,
            new AgentDirectory(vertx),
            index,
            new Fabrics(vertx, Fabrics.POOL, () -> true),
            FleetNetworks.load(null));
    String far = "f".repeat(64);
    index.put(on(far, "db", "acct", "net1", "10.9.0.7", List.of("store"), List.of()));
    index.put(on("a".repeat(64), "web", "acct", "net1", "10.9.0.8", List.of(), List.of("db:dbx")));
    index.put(on("b".repeat(64), "other", "acct", "net2", "10.8.0.2", List.of(), List.of()));
    index.put(on("c".repeat(64), "db2", "tess", "net1", "10.9.0.9", List.of("x"), List.of()));
    String asker = "a".repeat(64);
    assertThat(b.lookup(new LookupName("net1", asker, "db"))).isEqualTo("10.9.0.7");
    assertThat(b.lookup(new LookupName("net1", asker, "STORE"))).isEqualTo("10.9.0.7");
    assertThat(b.lookup(new LookupName("net1", asker, "ffffffffffff"))).isEqualTo("10.9.0.7");
    assertThat(b.lookup(new LookupName("net1", asker, "dbx"))).isEqualTo("10.9.0.7"); // its link
    assertThat(b.lookup(new LookupName("net1", asker, "other"))).isNull(); // another network's
    assertThat(b.lookup(new LookupName("net1", asker, "x"))).isNull(); // another account's
    assertThat(b.lookup(new LookupName("net1", "unknown", "db"))).isNull();
  }
}
