package org.sdcdocker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.sdcdocker.it.support.DockerCli.Result;
import org.sdcdocker.it.support.FixtureTest;

/** create/run options that reach the OCI spec, checked from inside the container. */
class HostOptionsTest extends FixtureTest {

  private String in(String... args) throws Exception {
    String[] all = new String[args.length + 2];
    all[0] = "run";
    all[1] = "--rm";
    System.arraycopy(args, 0, all, 2, args.length);
    return docker.ok(all);
  }

  @Test
  void memoryCpuAndPids_reachTheCgroups() throws Exception {
    assertThat(
            in(
                "-m",
                "64m",
                "--memory-swap",
                "128m",
                "--memory-reservation",
                "32m",
                "--oom-kill-disable",
                image,
                "sh",
                "-c",
                "cd /sys/fs/cgroup/memory; cat memory.limit_in_bytes memory.memsw.limit_in_bytes "
                    + "memory.soft_limit_in_bytes; grep oom_kill_disable memory.oom_control"))
        .isEqualTo("67108864\n134217728\n33554432\noom_kill_disable 1");
    assertThat(
            in(
                "--cpu-shares",
                "512",
                "--cpus",
                "0.5",
                image,
                "sh",
                "-c",
                "cat /sys/fs/cgroup/cpu/cpu.shares /sys/fs/cgroup/cpu/cpu.cfs_quota_us"))
        .isEqualTo("512\n50000");
    assertThat(in("--pids-limit", "50", image, "cat", "/sys/fs/cgroup/pids/pids.max"))
        .isEqualTo("50");
    assertThat(
            in(
                "--cpu-period",
                "50000",
                "--cpu-quota",
                "25000",
                image,
                "sh",
                "-c",
                "cat /sys/fs/cgroup/cpu/cpu.cfs_period_us /sys/fs/cgroup/cpu/cpu.cfs_quota_us"))
        .isEqualTo("50000\n25000");
    assertThat(docker.run("run", "--rm", "--blkio-weight", "300", image, "true").err())
        .contains("Block I/O weight")
        .contains("discarded");
    Path disk =
        Stream.of("/dev/vda", "/dev/sda", "/dev/nvme0n1", "/dev/loop0")
            .map(Path::of)
            .filter(Files::exists)
            .findFirst()
            .orElseThrow();
    String dev =
        (String)
            Files.readString(Path.of("/sys/class/block", disk.getFileName().toString(), "dev"))
                .trim();
    assertThat(
            in(
                "--device-read-bps",
                disk + ":1mb",
                "--device-write-iops",
                disk + ":100",
                image,
                "sh",
                "-c",
                "cd /sys/fs/cgroup/blkio; cat blkio.throttle.read_bps_device blkio.throttle.write_iops_device"))
        .isEqualTo(dev + " 1048576\n" + dev + " 100");
    assertThat(docker.run("run", "--rm", "--device-read-bps", "/dev/null:1mb", image, "true").err())
        .contains("/dev/null is not a block device");
    String oom =
        docker.ok(
            "run",
            "-d",
            "-m",
            "8m",
            "--memory-swap",
            "8m",
            image,
            "sh",
            "-c",
            "a=$(yes | head -c 100000000); echo survived");
    assertThat(docker.ok("wait", oom)).isEqualTo("137");
    assertThat(docker.ok("inspect", "-f", "{{.State.OOMKilled}}", oom)).isEqualTo("true");
    docker.ok("rm", oom);
    String id = docker.ok("create", "-m", "64m", image, "true");
    assertThat(docker.ok("inspect", "-f", "{{.HostConfig.Memory}}", id)).isEqualTo("67108864");
    docker.ok("rm", id);
  }

  @Test
  void ulimitsReadOnlyTmpfsAndShm() throws Exception {
    assertThat(in("--ulimit", "nofile=1000:2000", image, "sh", "-c", "ulimit -n; ulimit -Hn"))
        .isEqualTo("1000\n2000");
    Result ro =
        docker.run(
            "run",
            "--rm",
            "--read-only",
            "--tmpfs",
            "/run:size=1m",
            image,
            "sh",
            "-c",
            "touch /run/ok && echo tmpfs-writable; tail -1 /var/log/sdc-dockerinit.log | cut -d' ' -f2-3; touch /nope");
    assertThat(ro.exitCode()).isNotZero();
    assertThat(ro.out()).isEqualTo("tmpfs-writable\nDROP PRIVS\n");
    assertThat(ro.err()).contains("Read-only file system");
    assertThat(in("--shm-size", "32m", image, "sh", "-c", "df -k /dev/shm | tail -1"))
        .containsPattern("\\s32768\\s");
  }

  @Test
  void capabilitiesPrivilegedAndNoNewPrivileges() throws Exception {
    assertThat(
            docker
                .run("run", "--rm", "--cap-drop", "CHOWN", image, "chown", "app", "/tmp")
                .exitCode())
        .isNotZero();
    assertThat(docker.run("run", "--rm", image, "chown", "app", "/tmp").exitCode()).isZero();
    assertThat(docker.run("run", "--rm", image, "mount", "-t", "tmpfs", "none", "/mnt").exitCode())
        .isNotZero();
    assertThat(
            docker
                .run(
                    "run",
                    "--rm",
                    "--cap-add",
                    "SYS_ADMIN",
                    image,
                    "mount",
                    "-t",
                    "tmpfs",
                    "none",
                    "/tmp")
                .exitCode())
        .isZero();
    assertThat(
            docker
                .run("run", "--rm", "--privileged", image, "mount", "-t", "tmpfs", "none", "/tmp")
                .exitCode())
        .isZero();
    List<String> hostDevices = List.of("kmsg", "loop0", "fuse", "mem");
    String privDev = docker.ok("run", "--rm", "--privileged", image, "ls", "/dev");
    String plainDev = docker.ok("run", "--rm", image, "ls", "/dev");
    for (String d : hostDevices) {
      if (Files.exists(Path.of("/dev", d))) {
        assertThat(privDev.lines()).as("--privileged /dev").contains(d);
        assertThat(plainDev.lines()).as("plain /dev").doesNotContain(d);
      }
    }
    assertThat(
            in(
                "--security-opt",
                "no-new-privileges",
                image,
                "grep",
                "NoNewPrivs",
                "/proc/self/status"))
        .endsWith("1");
    Result bad = docker.run("run", "--rm", "--cap-add", "FLY", image, "true");
    assertThat(bad.err()).contains("unknown capability: \"CAP_FLY\"");
    Result broken =
        docker.run("run", "--rm", "--name", "cannot-start", "-w", "/etc/passwd/x", image, "true");
    assertThat(broken.exitCode()).isNotZero();
    assertThat(docker.ok("ps", "-aq", "--filter", "name=cannot-start")).isEmpty();
  }

  @Test
  void initDevicesSysctlsAndGroups() throws Exception {
    assertThat(in("--init", image, "sh", "-c", "echo $PPID; cat /proc/1/cmdline | tr '\\0' ' '"))
        .startsWith("1\n/native/usr/vm/sbin/dockerinit");
    assertThat(
            in(
                "--device",
                "/dev/null:/dev/mynull",
                image,
                "sh",
                "-c",
                "echo x > /dev/mynull && stat -c %t,%T /dev/mynull"))
        .isEqualTo("1,3");
    assertThat(
            in("--sysctl", "net.ipv4.ip_forward=1", image, "cat", "/proc/sys/net/ipv4/ip_forward"))
        .isEqualTo("1");
    var http = HttpClient.newHttpClient();
    var refused =
        http.send(
            HttpRequest.newBuilder(URI.create(f.server.url() + "/containers/create"))
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"Image\":\""
                            + image
                            + "\",\"Cmd\":[\"true\"],\"HostConfig\":{\"Sysctls\":{\"kernel.panic\":\"1\"}}}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(refused.statusCode()).isEqualTo(400);
    assertThat(refused.body()).contains("sysctl 'kernel.panic' is not allowed");
    assertThat(in("--group-add", "staff", "-u", "app", image, "id", "-G")).contains("50");
  }

  @Test
  void stopSignalAndTimeout_areTheContainers() throws Exception {
    String id =
        docker.ok(
            "run",
            "-d",
            "--stop-signal",
            "USR1",
            "--stop-timeout",
            "1",
            image,
            "sh",
            "-c",
            "trap 'exit 11' USR1; while true; do sleep 0.1; done");
    Thread.sleep(300);
    docker.ok("stop", id);
    assertThat(
            docker.ok(
                "inspect",
                "-f",
                "{{.State.ExitCode}} {{.Config.StopSignal}} {{.Config.StopTimeout}}",
                id))
        .isEqualTo("11 USR1 1");
    docker.ok("rm", id);
  }

  @Test
  void badLimits_areRefusedAsDocker() throws Exception {
    assertThat(docker.run("run", "--rm", "-m", "1m", image, "true").err())
        .contains("Minimum memory limit allowed is 6MB");
    assertThat(docker.run("run", "--rm", "-m", "64m", "--memory-swap", "32m", image, "true").err())
        .contains("Minimum memoryswap limit should be larger than memory limit");
    assertThat(docker.run("run", "--rm", "--cpus", "64", image, "true").err())
        .contains("Range of CPUs is from 0.01 to");
  }
}
