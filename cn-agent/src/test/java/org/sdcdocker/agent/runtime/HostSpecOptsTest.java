package org.sdcdocker.agent.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.sdcdocker.protocol.Json;
import org.sdcdocker.protocol.agent.HostOptions;

/** One case per host option: the option set alone, and what it makes of the OCI spec. */
class HostSpecOptsTest {
  static Stream<Arguments> options() {
    return Stream.of(
        row(
            "{\"memory\":67108864}",
            s -> {
              assertThat(s.at("/linux/resources/memory/limit").asLong()).isEqualTo(67108864);
              assertThat(s.at("/linux/resources/memory/swap").asLong()).isEqualTo(2 * 67108864L);
            }),
        row(
            "{\"memory\":67108864,\"memorySwap\":-1}",
            s -> assertThat(s.at("/linux/resources/memory/swap").asLong()).isEqualTo(-1)),
        row(
            "{\"memoryReservation\":33554432}",
            s ->
                assertThat(s.at("/linux/resources/memory/reservation").asLong())
                    .isEqualTo(33554432)),
        row(
            "{\"oomKillDisable\":true}",
            s -> assertThat(s.at("/linux/resources/memory/disableOOMKiller").asBoolean()).isTrue()),
        row(
            "{\"cpuShares\":512}",
            s -> assertThat(s.at("/linux/resources/cpu/shares").asLong()).isEqualTo(512)),
        row(
            "{\"nanoCpus\":1500000000}",
            s -> {
              assertThat(s.at("/linux/resources/cpu/period").asLong()).isEqualTo(100_000);
              assertThat(s.at("/linux/resources/cpu/quota").asLong()).isEqualTo(150_000);
            }),
        row(
            "{\"cpuPeriod\":50000}",
            s -> assertThat(s.at("/linux/resources/cpu/period").asLong()).isEqualTo(50_000)),
        row(
            "{\"cpuQuota\":25000}",
            s -> assertThat(s.at("/linux/resources/cpu/quota").asLong()).isEqualTo(25_000)),
        row(
            "{\"cpusetCpus\":\"0\"}",
            s -> assertThat(s.at("/linux/resources/cpu/cpus").asText()).isEqualTo("0")),
        row(
            "{\"pidsLimit\":64}",
            s -> assertThat(s.at("/linux/resources/pids/limit").asLong()).isEqualTo(64)),
        row(
            "{\"ulimits\":[{\"name\":\"nofile\",\"soft\":1024,\"hard\":2048}]}",
            s -> {
              assertThat(s.at("/process/rlimits/0/type").asText()).isEqualTo("RLIMIT_NOFILE");
              assertThat(s.at("/process/rlimits/0/soft").asLong()).isEqualTo(1024);
              assertThat(s.at("/process/rlimits/0/hard").asLong()).isEqualTo(2048);
            }),
        row(
            "{\"readOnlyRootfs\":true}",
            s -> {
              assertThat(s.at("/root/readonly").asBoolean()).isTrue();
              assertThat(mount(s, "/var/log/sdc-dockerinit.log").toString())
                  .doesNotContain("\"ro\"");
            }),
        row(
            "{\"tmpfs\":{\"/run\":\"size=64m\"}}",
            s -> {
              assertThat(mount(s, "/run").path("type").asText()).isEqualTo("tmpfs");
              assertThat(mount(s, "/run").path("options").toString()).contains("size=64m");
            }),
        row(
            "{\"capAdd\":[\"NET_ADMIN\"]}",
            s ->
                assertThat(s.at("/process/capabilities/bounding").toString())
                    .contains("CAP_NET_ADMIN")),
        row(
            "{\"capDrop\":[\"CHOWN\"]}",
            s ->
                assertThat(s.at("/process/capabilities/bounding").toString())
                    .doesNotContain("CAP_CHOWN")),
        row(
            "{\"privileged\":true}",
            s ->
                assertThat(s.at("/process/capabilities/bounding").toString())
                    .contains("CAP_SYS_ADMIN")),
        row(
            "{\"noNewPrivileges\":true}",
            s -> assertThat(s.at("/process/noNewPrivileges").asBoolean()).isTrue()),
        row(
            "{\"devices\":[{\"pathOnHost\":\"/dev/null\",\"pathInContainer\":\"/dev/xnull\",\"permissions\":\"rwm\"}]}",
            s -> assertThat(s.at("/linux/devices").toString()).contains("\"/dev/xnull\"")),
        row(
            "{\"shmSize\":1048576}",
            s ->
                assertThat(mount(s, "/dev/shm").path("options").toString())
                    .contains("size=1048576")),
        row(
            "{\"sysctls\":{\"net.ipv4.ip_forward\":\"1\"}}",
            s ->
                assertThat(s.at("/linux/sysctl").path("net.ipv4.ip_forward").asText())
                    .isEqualTo("1")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("options")
  void eachOption_makesItsPartOfTheSpec(String option, Consumer<ObjectNode> check)
      throws Exception {
    ObjectNode fields = (ObjectNode) Json.MAPPER.valueToTree(HostOptions.DEFAULT);
    fields.setAll((ObjectNode) Json.MAPPER.readTree(option));
    HostOptions h = Json.MAPPER.treeToValue(fields, HostOptions.class);
    check.accept(SpecFactory.build(HostSpecOpts.of(h, Path.of("/zones/z/dockerinit.log"))));
  }

  @Test
  void capabilities_areInTheKernelsNumberOrder() {
    assertThat(HostSpecOpts.ALL_CAPS).hasSize(41);
    assertThat(HostSpecOpts.ALL_CAPS.get(0)).isEqualTo("CAP_CHOWN");
    assertThat(HostSpecOpts.ALL_CAPS.indexOf("CAP_NET_ADMIN")).isEqualTo(12);
    assertThat(HostSpecOpts.ALL_CAPS.indexOf("CAP_SYS_ADMIN")).isEqualTo(21);
    assertThat(HostSpecOpts.ALL_CAPS.get(40)).isEqualTo("CAP_CHECKPOINT_RESTORE");
  }

  @Test
  void theDefaults_setNoneOfThem() {
    ObjectNode s = SpecFactory.build(HostSpecOpts.of(HostOptions.DEFAULT, Path.of("/log")));
    assertThat(s.at("/linux/resources/memory").isMissingNode()).isTrue();
    assertThat(s.at("/linux/resources/pids").isMissingNode()).isTrue();
    assertThat(s.at("/process/noNewPrivileges").asBoolean(false)).isFalse();
  }

  private static Arguments row(String option, Consumer<ObjectNode> check) {
    return Arguments.of(option, check);
  }

  private static JsonNode mount(ObjectNode s, String destination) {
    for (JsonNode m : s.get("mounts")) {
      if (m.path("destination").asText().equals(destination)) {
        return m;
      }
    }
    throw new AssertionError("no mount at " + destination + " in " + s.get("mounts"));
  }
}
