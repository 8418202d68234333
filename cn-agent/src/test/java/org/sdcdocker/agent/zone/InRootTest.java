package org.sdcdocker.agent.zone;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Paths in a zone's root never lead out of it, whatever links the zone holds. */
class InRootTest {
  @TempDir Path root;

  @Test
  void absoluteAndRelativeLinks_stayInsideTheRoot() throws Exception {
    Files.createDirectories(root.resolve("etc"));
    Files.createDirectories(root.resolve("tmp"));
    Files.createSymbolicLink(root.resolve("tmp/abs"), Path.of("/etc"));
    Files.createSymbolicLink(root.resolve("tmp/up"), Path.of("../../../../etc"));
    assertThat(InRoot.resolve(root, "/tmp/abs/passwd")).isEqualTo(root.resolve("etc/passwd"));
    assertThat(InRoot.resolve(root, "/tmp/up/passwd")).isEqualTo(root.resolve("etc/passwd"));
    assertThat(InRoot.resolve(root, "/../../etc/passwd")).isEqualTo(root.resolve("etc/passwd"));
  }

  @Test
  void theLastComponent_isNotFollowed() throws Exception {
    Files.createSymbolicLink(root.resolve("link"), Path.of("/etc/shadow"));
    assertThat(InRoot.resolve(root, "/link")).isEqualTo(root.resolve("link"));
  }

  @Test
  void linkLoops_areRefused() throws Exception {
    Files.createSymbolicLink(root.resolve("a"), Path.of("b"));
    Files.createSymbolicLink(root.resolve("b"), Path.of("a"));
    Assertions.assertThatThrownBy(() -> InRoot.resolve(root, "/a/x"))
        .hasMessageContaining("too many levels of symbolic links");
  }

  @Test
  void changes_areAddedChangedDeletedAndLeaveOutWhatTheAgentAdds() throws Exception {
    Path lower = Files.createDirectories(root.resolve("lower"));
    Files.createDirectories(lower.resolve("etc"));
    Files.writeString(lower.resolve("etc/passwd"), "x");
    Path upper = Files.createDirectories(root.resolve("upper"));
    Files.createDirectories(upper.resolve("etc"));
    Files.writeString(upper.resolve("etc/passwd"), "y");
    Files.writeString(upper.resolve("etc/hosts"), "ours");
    Files.createDirectories(upper.resolve("new"));
    Files.writeString(upper.resolve("new/f"), "z");
    Files.createDirectories(upper.resolve("var/log"));
    Files.writeString(upper.resolve("var/log/sdc-dockerinit.log"), "ours");
    assertThat(ZoneInspector.changes(upper, List.of(lower)))
        .extracting(c -> c.kind() + " " + c.path())
        .containsExactly("0 /etc", "0 /etc/passwd", "1 /new", "1 /new/f");
  }
}
