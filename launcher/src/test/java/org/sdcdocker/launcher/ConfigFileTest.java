package org.sdcdocker.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ConfigFileTest {
  @TempDir Path dir;

  private Main.Agent parse(String json, String... more) throws Exception {
    Path f = dir.resolve("agent.json");
    Files.writeString(f, json);
    List<String> args = new java.util.ArrayList<>(List.of("agent", "--config", f.toString()));
    args.addAll(List.of(more));
    String[] a = args.toArray(String[]::new);
    ConfigFile config = ConfigFile.from(a);
    CommandLine cli = new CommandLine(new Main()).setDefaultValueProvider(config);
    CommandLine.ParseResult parsed = cli.parseArgs(a);
    config.check(parsed.subcommand().commandSpec());
    return (Main.Agent) parsed.subcommand().commandSpec().userObject();
  }

  @Test
  void flagsComeFromTheFile_andTheCommandLineOverridesThem() throws Exception {
    Main.Agent agent =
        parse(
            "{\"dockerinit\": \"/x/dockerinit\", \"cluster-host\": \"10.0.0.11\","
                + " \"cluster-member\": [\"10.0.0.1:5701\", \"10.0.0.2:5701\"],"
                + " \"cluster-insecure\": true, \"data-root\": \"/from/file\"}",
            "--data-root",
            "/from/flag");
    assertThat(agent.cluster.host).isEqualTo("10.0.0.11");
    assertThat(agent.cluster.members).containsExactly("10.0.0.1:5701", "10.0.0.2:5701");
    assertThat(agent.cluster.insecure).isTrue();
    assertThat(agent.dataRoot).isEqualTo(Path.of("/from/flag"));
  }

  @Test
  void aKeyThatNamesNoFlag_isAnErrorThatNamesIt() {
    assertThatThrownBy(
            () -> parse("{\"dockerinit\": \"/x\", \"cluster-host\": \"h\", \"clustr-port\": 1}"))
        .isInstanceOf(CommandLine.ParameterException.class)
        .hasMessageContaining("unknown key 'clustr-port'");
  }
}
