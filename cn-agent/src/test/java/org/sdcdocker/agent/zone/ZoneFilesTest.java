package org.sdcdocker.agent.zone;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.sdcdocker.protocol.agent.ContainerSpec;

class ZoneFilesTest {
  @Test
  void metadata_isOneJsonValuePerLineUnderSmartOsKeys() {
    ContainerSpec spec =
        new ContainerSpec(
            "f".repeat(64),
            "n",
            "acct",
            "img",
            "sha256:x",
            List.of(),
            List.of(),
            List.of("sh", "-c", "echo \"a\nb\""),
            List.of("K=v=w"),
            "/w",
            "app:staff",
            "h",
            "",
            Map.of(),
            true,
            false,
            false,
            false,
            null,
            null,
            "2026-01-01T00:00:00Z",
            List.of(),
            null);
    String md = ZoneFiles.metadata(spec);
    assertThat(md.lines())
        .contains(
            "docker:cmd=[\"sh\",\"-c\",\"echo \\\"a\\nb\\\"\"]",
            "docker:entrypoint=[]",
            "docker:env=[\"K=v=w\"]",
            "docker:workdir=\"/w\"",
            "docker:user=\"app:staff\"",
            "docker:tty=\"true\"",
            "docker:open_stdin=\"false\"",
            "sdc:hostname=\"h\"");
    assertThat(md.lines()).allMatch(l -> l.matches("[a-z_:]+=.*"));
  }
}
