package org.sdcdocker.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CidrTest {
  @Test
  void parsesClearsHostBitsAndSplits() {
    Cidr pool = Cidr.parse("10.210.3.7/16");
    assertThat(pool.toString()).isEqualTo("10.210.0.0/16");
    assertThat(pool.subnet(3, 24).toString()).isEqualTo("10.210.3.0/24");
    assertThat(pool.subnet(256, 24)).isNull();
    assertThat(Cidr.dotted(pool.subnet(1, 24).host(1))).isEqualTo("10.210.1.1");
    assertThat(Cidr.dotted(Cidr.parse("10.0.0.0/24").lastHost())).isEqualTo("10.0.0.254");
  }

  @Test
  void overlapAndContainment() {
    Cidr a = Cidr.parse("192.0.2.0/24");
    assertThat(a.overlaps(Cidr.parse("192.0.0.0/16"))).isTrue();
    assertThat(a.overlaps(Cidr.parse("192.0.3.0/24"))).isFalse();
    assertThat(a.contains(Cidr.addr("192.0.2.200"))).isTrue();
    assertThat(a.contains(Cidr.parse("192.0.2.128/25"))).isTrue();
    assertThatThrownBy(() -> Cidr.parse("300.1.1.1/8"))
        .isInstanceOf(DockerException.class)
        .hasMessageContaining("invalid CIDR address");
  }
}
