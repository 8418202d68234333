package org.sdcdocker.agent.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.Test;

class SpecFactoryTest {
  @Test
  void options_applyInOrderOverTheDefaults() {
    ObjectNode s =
        SpecFactory.build(
            List.of(
                SpecFactory.withArgs(List.of("/native/usr/vm/sbin/dockerinit")),
                SpecFactory.withTerminal(true),
                SpecFactory.withHostname("box"),
                SpecFactory.withBind("/src", "/native", true),
                SpecFactory.withCgroupsPath("/sdc-docker/x")));
    assertThat(s.at("/process/args/0").asText()).isEqualTo("/native/usr/vm/sbin/dockerinit");
    assertThat(s.at("/process/terminal").asBoolean()).isTrue();
    assertThat(s.at("/hostname").asText()).isEqualTo("box");
    assertThat(s.at("/linux/cgroupsPath").asText()).isEqualTo("/sdc-docker/x");
    JsonNode last = s.get("mounts").get(s.get("mounts").size() - 1);
    assertThat(last.get("destination").asText()).isEqualTo("/native");
    assertThat(last.get("options").toString()).contains("\"ro\"", "\"rbind\"");
    assertThat(s.at("/process/capabilities/bounding").toString())
        .contains("CAP_CHOWN")
        .doesNotContain("CAP_SYS_ADMIN");
    assertThat(s.at("/linux/namespaces").toString())
        .contains("pid", "mount", "network", "ipc", "uts");
  }
}
