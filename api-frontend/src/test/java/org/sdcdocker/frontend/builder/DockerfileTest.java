package org.sdcdocker.frontend.builder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.sdcdocker.protocol.DockerException;

class DockerfileTest {
  @Test
  void continuationsCommentsFlagsAndExecForm() {
    Dockerfile df =
        Dockerfile.parse(
            "# escape=`\nFROM a AS b\nRUN echo one `\n# inside\n  two\n"
                + "COPY --from=b --chown=1:2 x /y\nCMD [\"a\", \"b c\"]\nCMD [not json\n");
    assertThat(df.escape()).isEqualTo('`');
    List<Dockerfile.Instruction> in = df.instructions();
    assertThat(in)
        .extracting(Dockerfile.Instruction::keyword)
        .containsExactly("FROM", "RUN", "COPY", "CMD", "CMD");
    assertThat(in.get(1).args()).isEqualTo("echo one   two");
    assertThat(in.get(2).flags()).isEqualTo(Map.of("from", "b", "chown", "1:2"));
    assertThat(in.get(2).args()).isEqualTo("x /y");
    assertThat(in.get(3).json()).containsExactly("a", "b c");
    assertThat(in.get(4).jsonForm()).isFalse();
  }

  @Test
  void unknownInstructionsAndEmptyFilesAreRefused() {
    assertThatThrownBy(() -> Dockerfile.parse("FROM a\nFROB x\n"))
        .isInstanceOf(DockerException.class)
        .hasMessage("dockerfile parse error on line 2: unknown instruction: FROB");
    assertThatThrownBy(() -> Dockerfile.parse("# just a comment\n\n"))
        .hasMessageContaining("cannot be empty");
  }

  @Test
  void wordsExpandVariablesAndRemoveQuotes() {
    Map<String, String> env = Map.of("A", "x y", "E", "");
    assertThat(ShellWords.words("k=$A 'l=$A' \"m=$A\" ${E:-dflt} ${A:+set} \\$A", env, '\\'))
        .containsExactly(
            "k=x y", "l=$A", "m=x y", "dflt", "set", "$A"); // as ENV: values are not split
    assertThat(ShellWords.word("/srv/${A}", env, '\\')).isEqualTo("/srv/x y");
    assertThatThrownBy(() -> ShellWords.words("'open", env, '\\'))
        .hasMessageContaining("single-quote");
  }

  @Test
  void dockerignoreGlobs() {
    assertThat("a/b.log").matches(BuildContext.glob("**/*.log", true));
    assertThat("b.log").matches(BuildContext.glob("**/*.log", true));
    assertThat("a/b.log").doesNotMatch(BuildContext.glob("*.log", true));
    assertThat("file1").matches(BuildContext.glob("file[0-9]", false));
  }

  @Test
  void goDurations() {
    assertThat(ConfigSteps.nanos("1m30s")).isEqualTo(90_000_000_000L);
    assertThat(ConfigSteps.nanos("250ms")).isEqualTo(250_000_000L);
    assertThatThrownBy(() -> ConfigSteps.nanos("5 parsecs"))
        .hasMessageContaining("invalid duration");
  }
}
