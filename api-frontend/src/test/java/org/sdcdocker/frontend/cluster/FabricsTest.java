package org.sdcdocker.frontend.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Vertx;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.sdcdocker.protocol.agent.NetworkRecords.Network;
import org.sdcdocker.protocol.agent.NetworkSpec.Fabric;

/** The fleet's fabrics as the front ends allocate them (the cluster's map, here the JVM's own). */
class FabricsTest {
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    vertx.close().await();
  }

  private Fabric fabric(Fabrics f, String account, String cn, String id) {
    return f.onNode(f.claim(account, id).await(), cn).await();
  }

  @Test
  void anAccountHasOneSubnetAndVni_itsNodesAGatewayEach_itsContainersAnAddressEach() {
    Fabrics f = new Fabrics(vertx, Fabrics.POOL, () -> true);
    Set<String> seen = new HashSet<>();
    Fabric first = fabric(f, "acct", "cn1", "c0");
    for (int i = 1; i < 200; i++) {
      Fabric x = fabric(f, "acct", i % 2 == 0 ? "cn1" : "cn2", "c" + i);
      assertThat(x.vni()).isEqualTo(first.vni());
      assertThat(x.subnet()).isEqualTo(first.subnet()).endsWith("/22");
      assertThat(seen.add(x.address())).as("address %s given twice", x.address()).isTrue();
      assertThat(x.address()).isNotIn(x.gateway());
    }
    Fabric onCn2 = fabric(f, "acct", "cn2", "z");
    assertThat(onCn2.gateway()).isNotEqualTo(first.gateway());
    assertThat(seen).doesNotContain(first.gateway(), onCn2.gateway());
    Fabric other = fabric(f, "other", "cn1", "o1");
    assertThat(other.vni()).isNotEqualTo(first.vni());
    assertThat(other.subnet()).isNotEqualTo(first.subnet());
    // another front end (an instance of its own) finds the same fabric and gateways
    Fabrics f2 = new Fabrics(vertx, Fabrics.POOL, () -> true);
    Fabric there = fabric(f2, "acct", "cn2", "c999");
    assertThat(there.vni()).isEqualTo(first.vni());
    assertThat(there.gateway()).isEqualTo(onCn2.gateway());
    assertThat(seen).doesNotContain(there.address());
  }

  @Test
  void aReleasedAddressIsFreeAgain_andAFullFabricIsAClearError() {
    Fabrics f = new Fabrics(vertx, "10.192.0.0/22", () -> true); // one fabric of 1,022 addresses
    Set<String> held = new HashSet<>();
    for (int i = 0; i < 1021; i++) { // one address is the node's gateway
      held.add(fabric(f, "acct", "cn1", "c" + i).address());
    }
    assertThat(held).hasSize(1021);
    assertThatThrownBy(() -> fabric(f, "acct", "cn1", "full"))
        .hasMessageContaining("the account's fabric 10.192.0.0/22 has no address left");
    Fabric one = fabric(f, "acct", "cn1", "c5"); // c5's own address, claimed again: the same
    f.release(one, "c5").await();
    assertThat(fabric(f, "acct", "cn1", "next").address()).isEqualTo(one.address());
    assertThatThrownBy(() -> fabric(f, "second", "cn1", "s1"))
        .hasMessageContaining("has no subnet left");
  }

  private static Network network(String id, String subnet, String gateway, String range, int vni) {
    return new Network(
        id,
        "net-" + id,
        "acct",
        "bridge",
        subnet,
        gateway,
        range,
        false,
        Map.of(),
        "2026-12-06T00:00:00Z",
        false,
        Map.of("reserved", "10.50.0.9"),
        vni);
  }

  @Test
  void aUserDefinedNetwork_hasItsOwnIndex_itsGatewayOnTheFirstNode_andItsRange() {
    Fabrics f = new Fabrics(vertx, Fabrics.POOL, () -> true);
    int i = f.claimNetwork("n1").await();
    int j = f.claimNetwork("n2").await();
    assertThat(i).isNotEqualTo(j);
    assertThat(f.claimNetwork("n1").await()).isEqualTo(i); // the same network's index again
    Network n = network("n1", "10.50.0.0/24", "10.50.0.1", "10.50.0.0/28", Fabrics.FIRST_VNI + i);
    Set<String> seen = new HashSet<>();
    Fabric first = f.attach(n, "cn1", "c0", null).await();
    assertThat(first.gateway()).isEqualTo("10.50.0.1"); // the network's own, on its first node
    assertThat(first.vni()).isEqualTo(Fabrics.FIRST_VNI + i);
    Fabric second = f.attach(n, "cn2", "c1", null).await();
    assertThat(second.gateway()).isNotEqualTo("10.50.0.1").startsWith("10.50.0.");
    seen.add(first.address());
    seen.add(second.address());
    // the range holds .1 to .15 (.0 is the subnet's own): less the two gateways and the aux
    // address, 12 for containers
    for (int k = 2; k < 12; k++) {
      assertThat(seen.add(f.attach(n, "cn1", "c" + k, null).await().address())).isTrue();
    }
    assertThat(seen).doesNotContain("10.50.0.1", "10.50.0.9", second.gateway());
    assertThat(seen).allMatch(a -> Integer.parseInt(a.substring(a.lastIndexOf('.') + 1)) < 16);
    assertThatThrownBy(() -> f.attach(n, "cn1", "full", null).await())
        .hasMessageContaining("the network 10.50.0.0/24 has no address left");
  }

  @Test
  void anAddressAskedFor_isGivenOnce_andOnlyInTheSubnet() {
    Fabrics f = new Fabrics(vertx, Fabrics.POOL, () -> true);
    int i = f.claimNetwork("n1").await();
    Network n = network("n1", "10.50.0.0/24", "10.50.0.1", null, Fabrics.FIRST_VNI + i);
    assertThat(f.attach(n, "cn1", "c1", "10.50.0.77").await().address()).isEqualTo("10.50.0.77");
    assertThatThrownBy(() -> f.attach(n, "cn2", "c2", "10.50.0.77").await())
        .hasMessageContaining("Address already in use");
    assertThatThrownBy(() -> f.attach(n, "cn2", "c2", "10.50.0.1").await())
        .hasMessageContaining("Address already in use"); // the network's gateway
    assertThatThrownBy(() -> f.attach(n, "cn2", "c2", "10.51.0.5").await())
        .hasMessageContaining("no configured subnet contains IP address 10.51.0.5");
    Fabric c1 = f.attach(n, "cn1", "c1", "10.50.0.77").await(); // its own again
    f.release(c1, "c1").await();
    assertThat(f.attach(n, "cn2", "c2", "10.50.0.77").await().address()).isEqualTo("10.50.0.77");
    // removed, the network's index is free for another
    f.forgetNetwork("n1", n.vni()).await();
    Fabrics other = new Fabrics(vertx, Fabrics.POOL, () -> true);
    Network again = network("n3", "10.50.0.0/24", "10.50.0.1", null, n.vni());
    assertThat(other.attach(again, "cn1", "c9", "10.50.0.77").await().gateway())
        .isEqualTo("10.50.0.1");
  }
}
