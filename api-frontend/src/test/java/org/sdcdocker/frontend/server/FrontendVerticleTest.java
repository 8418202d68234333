package org.sdcdocker.frontend.server;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class FrontendVerticleTest {
  @Test
  void hosts_inTheClearOnlyOnLoopbackOrUnixSockets() {
    FrontendVerticle.checkHost("tcp://127.0.0.1:2375", false);
    FrontendVerticle.checkHost("tcp://[::1]:2375", false);
    FrontendVerticle.checkHost("unix:///var/run/sdc-docker.sock", false);
    assertThatThrownBy(() -> FrontendVerticle.checkHost("tcp://0.0.0.0:2375", false))
        .hasMessageContaining("without TLS");
    assertThatThrownBy(() -> FrontendVerticle.checkHost("fd://", false))
        .hasMessageContaining("only tcp:// and unix://");
  }

  @Test
  void hosts_withTlsAnywhere() {
    FrontendVerticle.checkHost("tcp://0.0.0.0:2376", true);
    FrontendVerticle.checkHost("tcp://10.1.2.3:2376", true);
    assertThatThrownBy(() -> FrontendVerticle.checkHost("fd://", true))
        .hasMessageContaining("only tcp:// and unix://");
  }
}
