package org.sdcdocker.frontend.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Vertx;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
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
}
