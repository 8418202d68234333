package org.sdcdocker.frontend;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Who may import whom in the front end: endpoints use the cluster layer's backends, never its
 * internals (the agents' directory, the index, the bus); the HTTP plumbing imports no endpoint and
 * no wiring; nothing but the wiring imports the wiring.
 */
class PackageBoundariesTest {
  private static final Path SRC = Path.of("src/main/java/org/sdcdocker/frontend");

  @Test
  void endpoints_useBackends_notClusterInternals() throws IOException {
    assertThat(imports("endpoint"))
        .noneMatch(i -> i.startsWith("org.sdcdocker.frontend.cluster.AgentDirectory"))
        .noneMatch(i -> i.startsWith("org.sdcdocker.frontend.cluster.ContainerIndex"))
        .noneMatch(i -> i.startsWith("org.sdcdocker.frontend.cluster.Placement"))
        .noneMatch(i -> i.startsWith("org.sdcdocker.frontend.cluster.ContainerBackend"))
        .noneMatch(i -> i.startsWith("org.sdcdocker.bus.AgentBus"))
        .noneMatch(i -> i.startsWith("org.sdcdocker.protocol.agent.Verbs"))
        .noneMatch(i -> i.startsWith("org.sdcdocker.frontend.server."));
  }

  @Test
  void httpPlumbing_importsNoEndpointAndNoWiring() throws IOException {
    assertThat(imports("http"))
        .noneMatch(i -> i.startsWith("org.sdcdocker.frontend.endpoint."))
        .noneMatch(i -> i.startsWith("org.sdcdocker.frontend.server."));
  }

  @Test
  void onlyTheWiring_importsTheWiring() throws IOException {
    for (String pkg : List.of("endpoint", "http", "cluster", "translate", "image", "builder")) {
      assertThat(imports(pkg))
          .as(pkg)
          .noneMatch(i -> i.startsWith("org.sdcdocker.frontend.server."));
    }
  }

  private static List<String> imports(String pkg) throws IOException {
    List<String> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(SRC.resolve(pkg))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
        for (String line : Files.readAllLines(f)) {
          if (line.startsWith("import ")) {
            out.add(line.substring(7).replace("static ", "").replace(";", "").trim());
          }
        }
      }
    }
    assertThat(out).as("imports of " + pkg).isNotEmpty();
    return out;
  }
}
