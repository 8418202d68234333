package org.sdcdocker.frontend.server;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class FrontendVerticleTest {
  @Test
  void hosts_inTheClearOnlyOnLoopbackOrUnixSockets() {
    FrontendVerticle.checkHost("tcp://127.0.0.1:2375");
    FrontendVerticle.checkHost("tcp://[::1]:2375");
    FrontendVerticle.checkHost("unix:///var/run/sdc-docker.sock");
    assertThatThrownBy(() -> FrontendVerticle.checkHost("tcp://0.0.0.0:2375"))
        .hasMessageContaining("without TLS");
    assertThatThrownBy(() -> FrontendVerticle.checkHost("fd://"))
        .hasMessageContaining("only tcp:// and unix://");
  }
}
