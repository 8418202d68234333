package org.sdcdocker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.sdcdocker.it.support.FixtureTest;

/** diff, top, stats, update, container prune and the remaining ps filters, with the real CLI. */
class InspectionTest extends FixtureTest {

  @Test
  void diff_showsAddedChangedDeleted() throws Exception {
    String id =
        docker.ok(
            "run",
            "-d",
            image,
            "sh",
            "-c",
            "mkdir /new; echo x > /new/f; rm /etc/group; echo y >> /etc/passwd; sleep 300");
    String diff = "";
    for (int i = 0; i < 40 && !diff.contains("/etc/passwd"); i++) {
      Thread.sleep(50);
      diff = docker.ok("diff", id);
    }
    assertThat(diff.lines().toList())
        .containsExactly("C /etc", "D /etc/group", "C /etc/passwd", "A /new", "A /new/f");
    String fresh = docker.ok("run", "-d", image, "sleep", "300");
    assertThat(docker.ok("diff", fresh)).isEmpty();
    docker.ok("rm", "-f", id, fresh);
  }

  @Test
  void topAndStats() throws Exception {
    String id = docker.ok("run", "-d", "-m", "64m", image, "sleep", "300");
    String top = docker.ok("top", id, "-o", "pid,comm");
    assertThat(top.lines().toList()).hasSize(2);
    assertThat(top.lines().toList().get(1)).endsWith("sleep");
    String stats =
        docker.ok("stats", "--no-stream", "--format", "{{.Name}} {{.MemUsage}} {{.PIDs}}", id);
    assertThat(stats).matches("\\S+ [0-9.]+[KMG]i?B / 64MiB 1");
    assertThat(docker.run("top", docker.ok("create", image, "true")).err())
        .contains("is not running");
    docker.ok("rm", "-f", id);
  }

  @Test
  void update_changesLimitsOfARunningContainer() throws Exception {
    String id = docker.ok("run", "-d", "-m", "64m", image, "sleep", "300");
    docker.ok(
        "update",
        "-m",
        "32m",
        "--memory-swap",
        "64m",
        "--cpu-shares",
        "256",
        "--restart",
        "on-failure:3",
        id);
    assertThat(
            docker.ok(
                "exec",
                id,
                "sh",
                "-c",
                "cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/cpu/cpu.shares"))
        .isEqualTo("33554432\n256");
    assertThat(
            docker.ok(
                "inspect",
                "-f",
                "{{.HostConfig.Memory}} {{.HostConfig.CpuShares}} {{.HostConfig.RestartPolicy.Name}} "
                    + "{{.HostConfig.RestartPolicy.MaximumRetryCount}}",
                id))
        .isEqualTo("33554432 256 on-failure 3");
    docker.ok("rm", "-f", id);
  }

  @Test
  void sizes_inPsAndInspect() throws Exception {
    String id =
        docker.ok("run", "-d", image, "sh", "-c", "head -c 200000 /dev/zero > /big; sleep 300");
    String rw = "0";
    for (int i = 0; i < 40 && Long.parseLong(rw) < 200_000; i++) {
      Thread.sleep(50);
      rw = docker.ok("inspect", "-s", "-f", "{{.SizeRw}}", id);
    }
    assertThat(Long.parseLong(rw)).isGreaterThanOrEqualTo(200_000);
    assertThat(Long.parseLong(docker.ok("inspect", "-s", "-f", "{{.SizeRootFs}}", id)))
        .isGreaterThan(1_000_000);
    assertThat(docker.ok("ps", "-s", "--filter", "id=" + id, "--format", "{{.Size}}"))
        .matches("20[0-9]kB \\(virtual [0-9.]+MB\\)");
    docker.ok("rm", "-f", id);
  }

  @Test
  void logDrivers_noneAndMaxSize() throws Exception {
    assertThat(docker.ok("run", "--rm", "--log-driver", "none", image, "echo", "attached"))
        .isEqualTo("attached");
    String none = docker.ok("run", "-d", "--log-driver", "none", image, "echo", "hi");
    docker.ok("wait", none);
    assertThat(docker.run("logs", none).err())
        .contains("configured logging driver does not support reading");
    assertThat(docker.ok("inspect", "-f", "{{.HostConfig.LogConfig.Type}}", none))
        .isEqualTo("none");
    // max-size with max-file: the oldest lines go, the newest are kept, in order, across files
    String capped =
        docker.ok(
            "run",
            "-d",
            "--log-opt",
            "max-size=10k",
            "--log-opt",
            "max-file=3",
            image,
            "sh",
            "-c",
            "i=0; while [ $i -lt 15 ]; do seq 1 200 | sed \"s/^/$i-/\"; i=$((i+1)); sleep 0.3; done");
    docker.ok("wait", capped);
    List<String> kept = docker.run("logs", capped).out().lines().toList();
    assertThat(kept)
        .isNotEmpty()
        .hasSizeLessThan(3000)
        .endsWith("14-200"); // the agent rotates about once a second
    assertThat(docker.run("logs", "--tail", "3", capped).out())
        .isEqualTo("14-198\n14-199\n14-200\n");
    for (int i = 1; i < kept.size(); i++) {
      String[] a = kept.get(i - 1).split("-");
      String[] b = kept.get(i).split("-");
      long prev = Long.parseLong(a[0]) * 1000 + Long.parseLong(a[1]);
      long next = Long.parseLong(b[0]) * 1000 + Long.parseLong(b[1]);
      assertThat(next).as("line %d after %s", i, kept.get(i - 1)).isGreaterThan(prev);
    }
    assertThat(docker.run("run", "--rm", "--log-driver", "syslog", image, "true").err())
        .contains("no log driver named 'syslog' is registered");
    docker.ok("rm", none, capped);
  }

  @Test
  void prune_andTheOtherPsFilters() throws Exception {
    String first = docker.ok("run", "-d", "--name", "flt-first", image, "sh", "-c", "exit 2");
    Thread.sleep(20);
    String second = docker.ok("run", "-d", "--name", "flt-second", image, "sh", "-c", "exit 0");
    Thread.sleep(20);
    String running = docker.ok("run", "-d", "--name", "flt-running", image, "sleep", "300");
    docker.ok("wait", first, second);
    assertThat(
            docker.ok("ps", "-aq", "--no-trunc", "--filter", "exited=2", "--filter", "name=flt-"))
        .isEqualTo(first);
    assertThat(
            docker.ok(
                "ps",
                "-aq",
                "--no-trunc",
                "--filter",
                "before=flt-second",
                "--filter",
                "name=flt-"))
        .isEqualTo(first);
    assertThat(
            docker.ok(
                "ps", "-aq", "--no-trunc", "--filter", "since=flt-second", "--filter", "name=flt-"))
        .isEqualTo(running);
    assertThat(
            docker
                .ok(
                    "ps",
                    "-aq",
                    "--no-trunc",
                    "--filter",
                    "ancestor=" + image,
                    "--filter",
                    "name=flt-")
                .lines())
        .containsExactlyInAnyOrder(first, second, running);
    String pruned = docker.ok("container", "prune", "-f");
    assertThat(pruned).contains(first, second).doesNotContain(running);
    assertThat(docker.ok("ps", "-aq", "--no-trunc", "--filter", "name=flt-")).isEqualTo(running);
    docker.ok("rm", "-f", running);
  }
}
