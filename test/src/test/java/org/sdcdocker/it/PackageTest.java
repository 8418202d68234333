package org.sdcdocker.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.sdcdocker.it.support.DockerCli;
import org.sdcdocker.it.support.DockerCli.Result;
import org.sdcdocker.it.support.TlsServer;
import org.sdcdocker.protocol.Json;

/**
 * Packages, as a tenant meets them over TLS: the operator defines them with sdc-dockeradm; {@code
 * -m} picks the smallest that fits (1 GiB without {@code -m}), the label {@code com.joyent.package}
 * one by name; the container carries its package's limits in inspect and in its cgroups, and its
 * name as a label; nothing fits, a bad name, a deactivated package and an update of the resources
 * are refused with their errors; placement counts the package's memory.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PackageTest {
  private static final String LABEL = "com.joyent.package";

  private TlsServer tls;
  private String image;
  private DockerCli erin;
  private String smallUuid;

  @BeforeAll
  void start() throws Exception {
    tls = TlsServer.start("sdc-packages");
    image = tls.image;
    admin("account", "add", "erin", "--approve");
    erin = tls.tenant(tls.issue("erin"));
    erin.ok("pull", image); // before any package: a pull needs none

    admin(
        "package",
        "add",
        "sample-128M",
        "--memory",
        "128m",
        "--swap",
        "512m",
        "--disk",
        "3g",
        "--cpu-shares",
        "256",
        "--cpu-cap",
        "50",
        "--pids",
        "100");
    admin("package", "add", "sample-1G", "--memory", "1g");
    admin("package", "add", "sample-4G", "--memory", "4096");
    admin("package", "add", "old-8G", "--memory", "8g");
    admin("package", "deactivate", "old-8G");
    smallUuid =
        Json.MAPPER.readTree(admin("package", "get", "sample-128M", "--json")).get("uuid").asText();
  }

  @AfterAll
  void stop() throws Exception {
    try {
      String ids = erin.ok("ps", "-aq");
      if (!ids.isEmpty()) {
        List<String> rm = new ArrayList<>(List.of("rm", "-f"));
        rm.addAll(List.of(ids.split("\\s+")));
        erin.ok(rm.toArray(String[]::new));
      }
    } finally {
      tls.close();
    }
  }

  private String admin(String... args) throws Exception {
    return tls.admin(args);
  }

  private JsonNode inspect(String id) throws Exception {
    return Json.MAPPER.readTree(erin.ok("inspect", id)).get(0);
  }

  @Test
  void memory_picksTheSmallestPackageThatFits_andItsLimitsReachTheCgroups() throws Exception {
    String id =
        erin.ok("create", "-m", "100m", "--cpus", "2", "--pids-limit", "9999", image, "true");
    JsonNode c = inspect(id);
    JsonNode h = c.get("HostConfig");
    assertThat(h.get("Memory").asLong()).isEqualTo(128L << 20);
    assertThat(h.get("MemorySwap").asLong()).isEqualTo(512L << 20);
    assertThat(h.get("CpuShares").asLong()).isEqualTo(256);
    assertThat(h.get("NanoCpus").asLong()).isEqualTo(500_000_000L);
    assertThat(h.get("PidsLimit").asLong()).isEqualTo(100);
    assertThat(c.get("Config").get("Labels").get(LABEL).asText()).isEqualTo("sample-128M");
    List<String> small =
        erin.ok("ps", "-aq", "--no-trunc", "--filter", "label=" + LABEL + "=sample-128M")
            .lines()
            .toList();
    assertThat(small).contains(id);

    String cg =
        erin.ok(
            "run",
            "--rm",
            "-m",
            "128m",
            image,
            "sh",
            "-c",
            "cat /sys/fs/cgroup/memory/memory.limit_in_bytes"
                + " /sys/fs/cgroup/memory/memory.memsw.limit_in_bytes"
                + " /sys/fs/cgroup/cpu/cpu.shares /sys/fs/cgroup/cpu/cpu.cfs_quota_us"
                + " /sys/fs/cgroup/pids/pids.max");
    assertThat(cg).isEqualTo("134217728\n536870912\n256\n50000\n100");

    // without -m: the 1 GiB package, its swap twice its memory
    String big = erin.ok("create", image, "true");
    assertThat(small).doesNotContain(big);
    assertThat(erin.ok("ps", "-aq", "--no-trunc", "--filter", "label=" + LABEL + "=sample-1G"))
        .contains(big)
        .doesNotContain(id);
    JsonNode d = inspect(big);
    assertThat(d.at("/HostConfig/Memory").asLong()).isEqualTo(1L << 30);
    assertThat(d.at("/HostConfig/MemorySwap").asLong()).isEqualTo(2L << 30);
    assertThat(d.get("Config").get("Labels").get(LABEL).asText()).isEqualTo("sample-1G");
    // just over 1 GiB: the next one up
    JsonNode e = inspect(erin.ok("create", "-m", "1025m", image, "true"));
    assertThat(e.get("Config").get("Labels").get(LABEL).asText()).isEqualTo("sample-4G");
  }

  @Test
  void theLabel_picksAPackageByNameOrUuid_andMemoryIsThenIgnored() throws Exception {
    JsonNode byName =
        inspect(erin.ok("create", "-m", "4g", "--label", LABEL + "=sample-128M", image, "true"));
    assertThat(byName.at("/HostConfig/Memory").asLong()).isEqualTo(128L << 20);
    JsonNode byShort =
        inspect(
            erin.ok("create", "--label", LABEL + "=" + smallUuid.substring(0, 8), image, "true"));
    assertThat(byShort.get("Config").get("Labels").get(LABEL).asText()).isEqualTo("sample-128M");
    JsonNode byUuid = inspect(erin.ok("create", "--label", LABEL + "=" + smallUuid, image, "true"));
    assertThat(byUuid.get("Config").get("Labels").get(LABEL).asText()).isEqualTo("sample-128M");
  }

  @Test
  void whatNoPackageFits_isRefusedWithTheOriginalsWords() throws Exception {
    assertThat(erin.run("create", "-m", "1000g", image, "true").err())
        .contains(
            "Error response from daemon: no package supports the given container constraints:"
                + " memory=1000g");
    // the 8 GiB package is deactivated: nothing active holds 5 GiB
    assertThat(erin.run("run", "--rm", "-m", "5g", image, "true").err())
        .contains("no package supports the given container constraints: memory=5g");
    assertThat(erin.run("create", "--label", LABEL + "=old-8G", image, "true").err())
        .contains("no package supports the given container constraints: " + LABEL + "=old-8G");
    assertThat(erin.run("create", "--label", LABEL + "=nosuch", image, "true").err())
        .contains("no package supports the given container constraints: " + LABEL + "=nosuch");
    assertThat(erin.run("create", "--label", LABEL + "=bacon-", image, "true").err())
        .contains("Error response from daemon: invalid value for " + LABEL + ": bacon-");
  }

  @Test
  void aPackagedContainersResources_cannotBeUpdated_butItsRestartPolicyCan() throws Exception {
    String id = erin.ok("create", "-m", "100m", image, "sleep", "30");
    assertThat(erin.run("update", "-m", "4g", id).err())
        .contains("the resources of a container come from its package (sample-128M)");
    erin.ok("update", "--restart", "on-failure:2", id);
    assertThat(inspect(id).at("/HostConfig/RestartPolicy/Name").asText()).isEqualTo("on-failure");
    assertThat(inspect(id).at("/HostConfig/Memory").asLong()).isEqualTo(128L << 20);
  }

  @Test
  void theOperatorsVerbs_listShowAndRefuse() throws Exception {
    String ls = admin("package", "ls");
    assertThat(ls.lines().findFirst().orElseThrow()).startsWith("NAME").contains("MEMORY");
    assertThat(ls).contains("sample-128M").contains("512M").contains("50%");
    assertThat(ls.lines().filter(l -> l.startsWith("old-8G")).findFirst().orElseThrow())
        .contains("no");
    Result again = tls.adminRun("package", "add", "sample-1G", "--memory", "2g");
    assertThat(again.exitCode()).isEqualTo(1);
    assertThat(again.err()).contains("package sample-1G exists");
    Result bad = tls.adminRun("package", "add", "a--b", "--memory", "1g");
    assertThat(bad.err()).contains("invalid package name a--b");
    Result missing = tls.adminRun("package", "get", "nosuch");
    assertThat(missing.err()).contains("no such package: nosuch");
  }

  @Test
  void placement_countsThePackagesMemory() throws Exception {
    long before = reservedMemory();
    String id = erin.ok("create", "--label", LABEL + "=sample-4G", image, "true");
    assertThat(reservedMemory() - before).isEqualTo(4L << 30);
    erin.ok("rm", id);
  }

  private long reservedMemory() throws Exception {
    return Json.MAPPER
        .readTree(admin("node", "ls", "--json"))
        .get(0)
        .get("ReservedMemoryBytes")
        .asLong();
  }
}
