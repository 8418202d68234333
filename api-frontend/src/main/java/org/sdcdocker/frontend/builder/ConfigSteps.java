package org.sdcdocker.frontend.builder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.sdcdocker.protocol.DockerException;

/**
 * The instructions that change the image's config: ENV, LABEL, MAINTAINER, EXPOSE, CMD, ENTRYPOINT,
 * VOLUME, USER, WORKDIR, STOPSIGNAL, HEALTHCHECK, SHELL, ONBUILD. Each makes an image with an empty
 * layer, its history saying {@code #(nop)} as Docker's; WORKDIR also makes its directory, in a
 * layer of its own.
 */
final class ConfigSteps {
  private ConfigSteps() {}

  static void apply(StepContext b, Dockerfile.Instruction in) throws IOException {
    Builder.Stage s = b.stage();
    ObjectNode rc = s.run().deepCopy();
    Map<String, String> env = b.expansionEnv();
    char esc = b.escape();
    String msg;
    switch (in.keyword()) {
      case "ENV" -> msg = "ENV " + String.join(" ", pairs(in, env, esc, rc, "Env"));
      case "LABEL" -> msg = "LABEL " + String.join(" ", pairs(in, env, esc, rc, "Labels"));
      case "MAINTAINER" -> {
        s.config.put("author", in.args());
        msg = "MAINTAINER " + in.args();
      }
      case "EXPOSE" -> {
        ObjectNode ports = object(rc, "ExposedPorts");
        List<String> added = new ArrayList<>();
        for (String p : ShellWords.words(in.args(), env, esc)) {
          String[] pp = p.split("/", 2);
          String proto = pp.length > 1 ? pp[1].toLowerCase(Locale.ROOT) : "tcp";
          String[] range = pp[0].split("-", 2);
          try {
            int lo = Integer.parseInt(range[0]);
            int hi = range.length > 1 ? Integer.parseInt(range[1]) : lo;
            for (int port = lo; port <= hi && port - lo < 65536; port++) {
              ports.putObject(port + "/" + proto);
              added.add(port + "/" + proto);
            }
          } catch (NumberFormatException e) {
            throw DockerException.invalid("invalid containerPort: %s", pp[0]);
          }
        }
        msg = "EXPOSE " + String.join(" ", added);
      }
      case "CMD" -> {
        rc.set("Cmd", command(b, in));
        s.cmdSet = true;
        msg = "CMD " + rc.get("Cmd");
      }
      case "ENTRYPOINT" -> {
        rc.set("Entrypoint", in.args().isEmpty() ? null : command(b, in));
        if (!s.cmdSet) {
          rc.putNull("Cmd"); // as Docker: an inherited CMD does not outlive a new ENTRYPOINT
        }
        msg = "ENTRYPOINT " + rc.get("Entrypoint");
      }
      case "VOLUME" -> {
        ObjectNode vols = object(rc, "Volumes");
        List<String> list = in.jsonForm() ? in.json() : ShellWords.words(in.args(), env, esc);
        for (String v : list) {
          if (v.isBlank()) {
            throw DockerException.invalid("VOLUME specified can not be an empty string");
          }
          vols.putObject(v);
        }
        msg = "VOLUME " + list;
      }
      case "USER" -> {
        rc.put("User", ShellWords.word(in.args(), env, esc));
        msg = "USER " + rc.get("User").asText();
      }
      case "WORKDIR" -> {
        String w = ShellWords.word(in.args(), env, esc);
        String base = rc.path("WorkingDir").asText("");
        String dir = w.startsWith("/") ? w : (base.isEmpty() ? "/" : base) + "/" + w;
        rc.put("WorkingDir", Path.of(dir).normalize().toString());
        workdir(b, "WORKDIR " + rc.get("WorkingDir").asText(), rc);
        return;
      }
      case "STOPSIGNAL" -> {
        String sig = ShellWords.word(in.args(), env, esc);
        if (!sig.matches("(?i)(SIG)?[A-Z0-9+-]+|[0-9]+")) {
          throw DockerException.invalid("Invalid signal: %s", sig);
        }
        rc.put("StopSignal", sig);
        msg = "STOPSIGNAL [" + sig + "]";
      }
      case "HEALTHCHECK" -> {
        rc.set("Healthcheck", healthcheck(b, in));
        msg = "HEALTHCHECK " + in.args();
      }
      case "SHELL" -> {
        if (!in.jsonForm() || in.json().isEmpty()) {
          throw DockerException.invalid("SHELL requires the arguments to be in JSON form");
        }
        ArrayNode sh = rc.putArray("Shell");
        in.json().forEach(sh::add);
        msg = "SHELL " + in.json();
      }
      case "ONBUILD" -> {
        Dockerfile.Instruction t = Dockerfile.instruction(in.args(), in.line());
        if (List.of("ONBUILD", "FROM", "MAINTAINER").contains(t.keyword())) {
          throw DockerException.invalid(
              t.keyword().equals("ONBUILD")
                  ? "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed"
                  : String.format("%s isn't allowed as an ONBUILD trigger", t.keyword()));
        }
        String trigger =
            t.keyword()
                + in.args()
                    .substring(
                        in.args().indexOf(' ') < 0 ? in.args().length() : in.args().indexOf(' '));
        (rc.path("OnBuild").isArray() ? (ArrayNode) rc.get("OnBuild") : rc.putArray("OnBuild"))
            .add(trigger);
        msg = "ONBUILD " + trigger;
      }
      default -> throw DockerException.invalid("unknown instruction: %s", in.keyword());
    }
    nop(b, msg, rc);
  }

  /** A config-only step: taken from the cache, or committed with an empty layer. */
  static void nop(StepContext b, String msg, ObjectNode rc) throws IOException {
    List<String> cmd = new ArrayList<>(b.shell());
    cmd.add("#(nop) ");
    cmd.add(msg);
    if (!b.useCache(cmd, rc)) {
      b.commit(String.join(" ", cmd), cmd, rc, null, null);
      b.stream(" ---> " + Builder.shortId(b.stage().image.id()) + "\n");
    }
  }

  /**
   * WORKDIR, as Docker's: the directory is made (0755, root's) in a container of the image when the
   * image lacks it, and the container's changes are the step's layer (empty when it was there).
   */
  private static void workdir(StepContext b, String msg, ObjectNode rc) throws IOException {
    List<String> cmd = new ArrayList<>(b.shell());
    cmd.add("#(nop) ");
    cmd.add(msg);
    if (b.useCache(cmd, rc)) {
      return;
    }
    String dir = rc.get("WorkingDir").asText();
    b.filesStep(
        cmd,
        rc,
        c -> {
          if (!dir.equals("/") && b.host().stat(c, dir) == null) {
            Path tar = Files.createTempFile(b.images().scratch(), "workdir-", ".tar");
            try {
              try (TarWriter w = new TarWriter(Files.newOutputStream(tar))) {
                w.entry(
                    dir.substring(1), 'd', 0755, 0, 0, FileTime.from(Instant.now()), null, null);
              }
              b.host().extract(c, tar);
            } finally {
              Files.deleteIfExists(tar);
            }
          }
        });
  }

  private static ObjectNode object(ObjectNode rc, String field) {
    return rc.path(field).isObject() ? (ObjectNode) rc.get(field) : rc.putObject(field);
  }

  /** ENV and LABEL: {@code k=v ...} pairs, or the legacy {@code k value with spaces}. */
  private static List<String> pairs(
      Dockerfile.Instruction in, Map<String, String> env, char esc, ObjectNode rc, String field) {
    Map<String, String> kv = new LinkedHashMap<>();
    List<String> words = ShellWords.words(in.args(), env, esc);
    if (words.isEmpty()) {
      throw DockerException.invalid("%s requires at least one argument", in.keyword());
    }
    if (!words.get(0).contains("=")) {
      String rest = in.args().strip().substring(in.args().strip().indexOf(words.get(0).charAt(0)));
      int sp = rest.indexOf(' ');
      if (sp < 0) {
        throw DockerException.invalid("%s must have two arguments", in.keyword());
      }
      kv.put(rest.substring(0, sp), ShellWords.word(rest.substring(sp + 1).strip(), env, esc));
    } else {
      for (String w : words) {
        int eq = w.indexOf('=');
        if (eq <= 0) {
          throw DockerException.invalid(
              "Syntax error - can't find = in \"%s\". Must be of the form: name=value", w);
        }
        kv.put(w.substring(0, eq), w.substring(eq + 1));
      }
    }
    List<String> msg = new ArrayList<>();
    if (field.equals("Env")) {
      ArrayNode e = rc.path("Env").isArray() ? (ArrayNode) rc.get("Env") : rc.putArray("Env");
      kv.forEach(
          (k, v) -> {
            for (int i = e.size() - 1; i >= 0; i--) {
              if (e.get(i).asText().startsWith(k + "=")) {
                e.remove(i);
              }
            }
            e.add(k + "=" + v);
            env.put(k, v);
            msg.add(k + "=" + v);
          });
    } else {
      ObjectNode l = object(rc, "Labels");
      kv.forEach(
          (k, v) -> {
            l.put(k, v);
            msg.add(k + "=" + v);
          });
    }
    return msg;
  }

  /** CMD and ENTRYPOINT: the exec form as written, the shell form under the stage's shell. */
  private static ArrayNode command(StepContext b, Dockerfile.Instruction in) {
    ArrayNode a = JsonNodeFactory.instance.arrayNode();
    if (in.jsonForm()) {
      in.json().forEach(a::add);
    } else {
      b.shell().forEach(a::add);
      a.add(in.args());
    }
    return a;
  }

  private static JsonNode healthcheck(StepContext b, Dockerfile.Instruction in) {
    ObjectNode hc = JsonNodeFactory.instance.objectNode();
    String rest = in.args();
    if (rest.equalsIgnoreCase("NONE")) {
      hc.putArray("Test").add("NONE");
      return hc;
    }
    int sp = rest.indexOf(' ');
    String kind = (sp < 0 ? rest : rest.substring(0, sp)).toUpperCase(Locale.ROOT);
    if (!kind.equals("CMD")) {
      throw DockerException.invalid("Unknown type \"%s\" in HEALTHCHECK (try CMD)", kind);
    }
    Dockerfile.Instruction cmd =
        Dockerfile.instruction("CMD " + (sp < 0 ? "" : rest.substring(sp + 1).strip()), in.line());
    ArrayNode test = hc.putArray("Test");
    if (cmd.jsonForm()) {
      test.add("CMD");
      cmd.json().forEach(test::add);
    } else {
      test.add("CMD-SHELL").add(cmd.args());
    }
    for (var f : in.flags().entrySet()) {
      switch (f.getKey()) {
        case "interval" -> hc.put("Interval", nanos(f.getValue()));
        case "timeout" -> hc.put("Timeout", nanos(f.getValue()));
        case "start-period" -> hc.put("StartPeriod", nanos(f.getValue()));
        case "start-interval" -> hc.put("StartInterval", nanos(f.getValue()));
        case "retries" -> hc.put("Retries", Integer.parseInt(f.getValue()));
        default -> throw DockerException.invalid("Unknown flag: %s", f.getKey());
      }
    }
    return hc;
  }

  /** A Go duration (1h2m3.5s, 300ms) in nanoseconds. */
  static long nanos(String d) {
    Matcher m = Pattern.compile("([0-9.]+)(ns|us|µs|ms|s|m|h)").matcher(d);
    double total = 0;
    int at = 0;
    while (m.find()) {
      if (m.start() != at) {
        break;
      }
      double unit =
          switch (m.group(2)) {
            case "ns" -> 1;
            case "us", "µs" -> 1e3;
            case "ms" -> 1e6;
            case "s" -> 1e9;
            case "m" -> 60e9;
            default -> 3600e9;
          };
      total += Double.parseDouble(m.group(1)) * unit;
      at = m.end();
    }
    if (at != d.length() || d.isEmpty()) {
      throw DockerException.invalid("time: invalid duration \"%s\"", d);
    }
    return (long) total;
  }
}
