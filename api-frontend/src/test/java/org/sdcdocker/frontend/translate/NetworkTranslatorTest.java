package org.sdcdocker.frontend.translate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sdcdocker.protocol.DockerException;
import org.sdcdocker.protocol.Json;
import org.sdcdocker.protocol.agent.NetworkSpec;

class NetworkTranslatorTest {
  private static NetworkSpec of(String json, String image) {
    return NetworkTranslator.translate(
        CreateBody.decode(Json.decode(json, JsonNode.class)),
        CreateBody.ofImage(Json.decode(image, JsonNode.class)));
  }

  @Test
  void portsExposedAndPublishAll() {
    NetworkSpec n =
        of(
            "{\"HostConfig\":{\"PortBindings\":{\"80/tcp\":[{\"HostIp\":\"127.0.0.1\",\"HostPort\":\"8080\"}],"
                + "\"53/udp\":[{\"HostPort\":\"\"}],\"90\":[{\"HostPort\":\"9000-9010\"}]},\"PublishAllPorts\":true}}",
            "{\"ExposedPorts\":{\"443/tcp\":{}}}");
    assertThat(n.mode()).isEqualTo("bridge");
    assertThat(n.endpoints()).extracting(NetworkSpec.Endpoint::network).containsExactly("bridge");
    assertThat(n.ports())
        .contains(
            new NetworkSpec.PortSpec(80, "tcp", "127.0.0.1", 8080, 8080),
            new NetworkSpec.PortSpec(53, "udp", "", 0, 0),
            new NetworkSpec.PortSpec(90, "tcp", "", 9000, 9010),
            new NetworkSpec.PortSpec(443, "tcp", "", 0, 0));
    assertThat(n.exposed()).containsExactlyInAnyOrder("443/tcp", "80/tcp", "53/udp", "90/tcp");
  }

  @Test
  void dockersRefusals() {
    assertThatThrownBy(
            () ->
                of(
                    "{\"HostConfig\":{\"NetworkMode\":\"container:x\",\"PortBindings\":{\"80/tcp\":[{}]}}}",
                    "{}"))
        .isInstanceOf(DockerException.class)
        .hasMessage("conflicting options: port publishing and the container type network mode");
    assertThatThrownBy(
            () ->
                of(
                    "{\"HostConfig\":{\"NetworkMode\":\"container:x\",\"Dns\":[\"1.1.1.1\"]}}",
                    "{}"))
        .hasMessage("conflicting options: dns and the network mode");
    assertThatThrownBy(() -> of("{\"HostConfig\":{\"PortBindings\":{\"99999/tcp\":[{}]}}}", "{}"))
        .hasMessageContaining("invalid port specification");
    assertThatThrownBy(() -> of("{\"HostConfig\":{\"ExtraHosts\":[\"h:not-an-ip\"]}}", "{}"))
        .hasMessageContaining("invalid IP address in add-host");
    assertThatThrownBy(() -> of("{\"HostConfig\":{\"NetworkMode\":\"host\"}}", "{}"))
        .hasMessageContaining("host networking is not available");
  }

  @Test
  void userNetworksWithAliasesAndAddresses_andNone() {
    NetworkSpec n =
        of(
            "{\"HostConfig\":{\"NetworkMode\":\"app\"},\"NetworkingConfig\":{\"EndpointsConfig\":{\"app\":"
                + "{\"Aliases\":[\"api\"],\"IPAMConfig\":{\"IPv4Address\":\"10.1.0.9\"}},\"other\":{}}}}",
            "{}");
    assertThat(n.endpoints())
        .containsExactly(
            new NetworkSpec.Endpoint("app", null, List.of("api"), "10.1.0.9", null),
            new NetworkSpec.Endpoint("other", null, List.of(), null, null));
    NetworkSpec none =
        of("{\"HostConfig\":{\"NetworkMode\":\"none\",\"PortBindings\":{\"80/tcp\":[{}]}}}", "{}");
    assertThat(none.endpoints()).isEmpty();
    assertThat(none.ports()).isEmpty();
  }

  /** The CLI's settings of the default network come keyed "default": they are the default's. */
  @Test
  void theDefaultNetworksSettings_keyedAsTheCliKeysThem() {
    NetworkSpec n =
        of(
            "{\"HostConfig\":{\"NetworkMode\":\"default\"},\"NetworkingConfig\":{\"EndpointsConfig\":"
                + "{\"default\":{\"IPAMConfig\":{\"IPv4Address\":\"10.9.0.5\"}}}}}",
            "{}");
    assertThat(n.endpoints()).hasSize(1);
    assertThat(n.endpoints().get(0).network()).isEqualTo("bridge");
    assertThat(n.endpoints().get(0).ipv4()).isEqualTo("10.9.0.5");
  }
}
