package org.sdcdocker.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sdcdocker.protocol.Json;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

class ConfigFileTest {
  @TempDir Path dir;

  private Main.Agent parse(String json, String... more) throws Exception {
    Path f = dir.resolve("agent.json");
    Files.writeString(f, json);
    List<String> args = new ArrayList<>(List.of("agent", "--config", f.toString()));
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

  @Test
  void printedConfig_holdsEveryFlag_andReadsBackToTheSame() throws Exception {
    Main.Agent agent = parse("{\"dockerinit\": \"/x/dockerinit\", \"cluster-host\": \"h\"}");
    CommandSpec spec = CommandSpec.forAnnotatedObject(agent);
    String printed = ConfigFile.print(spec);
    JsonNode json = Json.MAPPER.readTree(printed);
    for (OptionSpec o : spec.options()) {
      String key = o.longestName().substring(2);
      if (!o.usageHelp()
          && !o.versionHelp()
          && !key.equals("config")
          && !key.equals("print-config")) {
        assertThat(json.has(key)).as(key).isTrue();
      }
    }
    assertThat(json.get("advertise").isNull()).isTrue();
    assertThat(json.get("url-volume-allow").isArray()).isTrue();
    // unset (null) and empty lists read back as the flags' defaults
    Main.Agent again = parse(printed);
    assertThat(again.cluster.host).isEqualTo("h");
    assertThat(again.cluster.members).isEmpty();
    assertThat(ConfigFile.print(CommandSpec.forAnnotatedObject(again))).isEqualTo(printed);
  }
}
