package org.sdcdocker.agent.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.sdcdocker.protocol.agent.NetworkSpec;

class ZoneEtcTest {
  @Test
  void linkEnvironment_isDockers() {
    ZoneEtc.LinkTarget t =
        new ZoneEtc.LinkTarget(
            new NetworkSpec.Link("a".repeat(64), "db", "my-db"),
            "10.0.0.3",
            List.of("5432/tcp", "53/udp"),
            List.of("PATH=/bin", "PW=x", "HOME=/root"));
    assertThat(ZoneEtc.linkEnv("web", t))
        .containsExactly(
            "MY_DB_NAME=/web/my-db",
            "MY_DB_PORT=udp://10.0.0.3:53",
            "MY_DB_PORT_53_UDP=udp://10.0.0.3:53",
            "MY_DB_PORT_53_UDP_ADDR=10.0.0.3",
            "MY_DB_PORT_53_UDP_PORT=53",
            "MY_DB_PORT_53_UDP_PROTO=udp",
            "MY_DB_PORT_5432_TCP=tcp://10.0.0.3:5432",
            "MY_DB_PORT_5432_TCP_ADDR=10.0.0.3",
            "MY_DB_PORT_5432_TCP_PORT=5432",
            "MY_DB_PORT_5432_TCP_PROTO=tcp",
            "MY_DB_ENV_PW=x");
  }
}
