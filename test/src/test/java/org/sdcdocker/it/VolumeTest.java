package org.sdcdocker.it;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.sdcdocker.it.support.DockerCli.Result;
import org.sdcdocker.it.support.FixtureTest;

/** Named and anonymous volumes, the volume commands, read-only mounts, the limits and host binds. */
class VolumeTest extends FixtureTest {
  @Test
  void namedVolume_carriesDataFromOneContainerToAnother() throws Exception {
    assertThat(docker.ok("volume", "create", "--label", "team=a", "shared")).isEqualTo("shared");
    docker.ok("run", "--rm", "-v", "shared:/data", image, "sh", "-c", "echo kept > /data/f");
    assertThat(docker.ok("run", "--rm", "-v", "shared:/in:ro", image, "cat", "/in/f")).isEqualTo("kept");
    Result ro = docker.run("run", "--rm", "-v", "shared:/in:ro", image, "touch", "/in/g");
    assertThat(ro.exitCode()).isNotZero();
    assertThat(ro.err()).contains("Read-only file system");
    assertThat(docker.ok("run", "--rm", "--mount", "type=volume,src=shared,dst=/m", image, "cat", "/m/f")).isEqualTo("kept");
    assertThat(docker.ok("volume", "inspect", "-f", "{{.Name}} {{.Driver}} {{.Labels.team}} {{.Scope}}", "shared"))
        .isEqualTo("shared local a local");
    assertThat(docker.ok("volume", "ls", "-q", "--filter", "label=team=a")).isEqualTo("shared");
    docker.ok("volume", "rm", "shared");
    assertThat(docker.run("volume", "inspect", "shared").err()).contains("no such volume");
  }

  @Test
  void aVolumeInUse_isNotRemoved_andDiffLeavesItOut() throws Exception {
    String id = docker.ok("run", "-d", "-v", "busy:/work", image, "sh", "-c", "echo x > /work/x; sleep 300");
    Result rm = docker.run("volume", "rm", "busy");
    assertThat(rm.exitCode()).isNotZero();
    assertThat(rm.err()).contains("remove busy: volume is in use - [" + id + "]");
    assertThat(docker.ok("volume", "ls", "-q", "--filter", "dangling=false")).contains("busy");
    assertThat(docker.ok("ps", "-q", "--no-trunc", "--filter", "volume=busy")).isEqualTo(id);
    assertThat(docker.ok("inspect", "-f", "{{range .Mounts}}{{.Type}} {{.Name}} {{.Destination}} {{.RW}}{{end}}", id))
        .isEqualTo("volume busy /work true");
    Thread.sleep(200);
    assertThat(docker.ok("diff", id)).doesNotContain("/work");
    docker.ok("rm", "-f", id);
    docker.ok("volume", "rm", "busy");
  }

  @Test
  void anonymousVolumes_areSeededFromTheImage_andGoWithRmV() throws Exception {
    String before = docker.ok("volume", "ls", "-q");
    String id = docker.ok("run", "-d", "-v", "/etc", image, "sleep", "300");
    assertThat(docker.ok("exec", id, "grep", "-c", "root", "/etc/passwd")).isEqualTo("1");
    String anon = docker.ok("inspect", "-f", "{{range .Mounts}}{{.Name}}{{end}}", id);
    assertThat(anon).matches("[0-9a-f]{64}");
    assertThat(docker.ok("volume", "ls", "-q")).contains(anon);
    docker.ok("rm", "-f", "-v", id);
    assertThat(docker.ok("volume", "ls", "-q")).isEqualTo(before);
  }

  @Test
  void limitsAndHostBinds_areRefusedWithClearMessages() throws Exception {
    Result bind = docker.run("run", "--rm", "-v", "/tmp:/host", image, "true");
    assertThat(bind.exitCode()).isNotZero();
    assertThat(bind.err()).contains("host paths cannot be bound into containers on this server (/tmp)");
    java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("run", "--rm"));
    for (int i = 0; i < 9; i++) {
      args.add("-v");
      args.add("lim" + i + ":/v" + i);
    }
    args.add(image);
    args.add("true");
    Result many = docker.run(args.toArray(String[]::new));
    assertThat(many.err()).contains("at most 8 data volumes");
    assertThat(docker.ok("volume", "ls", "-q", "--filter", "name=lim")).isEmpty();
  }
}
