package org.sdcdocker.frontend.builder;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.sdcdocker.protocol.DockerException;
import org.sdcdocker.protocol.Json;

/**
 * A parsed Dockerfile: parser directives ({@code escape}), comments and line continuations handled,
 * each instruction with its flags ({@code --from=...}), its arguments, and its JSON (exec) form
 * when it has one.
 */
record Dockerfile(char escape, List<Dockerfile.Instruction> instructions) {
  static final Set<String> KNOWN =
      Set.of(
          "FROM",
          "RUN",
          "CMD",
          "LABEL",
          "MAINTAINER",
          "EXPOSE",
          "ENV",
          "ADD",
          "COPY",
          "ENTRYPOINT",
          "VOLUME",
          "USER",
          "WORKDIR",
          "ARG",
          "ONBUILD",
          "STOPSIGNAL",
          "HEALTHCHECK",
          "SHELL");

  /**
   * One instruction: its keyword (upper case), flags, the rest of the line, the JSON array when the
   * rest is one, its line, and the text as written (for the build's "Step" lines).
   */
  record Instruction(
      String keyword,
      Map<String, String> flags,
      String args,
      List<String> json,
      int line,
      String original) {
    boolean jsonForm() {
      return json != null;
    }
  }

  static Dockerfile parse(String text) {
    List<String> lines = List.of(text.replace("\r\n", "\n").split("\n", -1));
    char escape = '\\';
    int first = 0;
    for (; first < lines.size(); first++) { // parser directives: only at the very top
      String l = lines.get(first).trim();
      Matcher m = Pattern.compile("#\\s*([a-zA-Z]+)\\s*=\\s*(.*)").matcher(l);
      if (!m.matches()) {
        break;
      }
      if (m.group(1).equalsIgnoreCase("escape")) {
        String v = m.group(2).trim();
        if (!v.equals("\\") && !v.equals("`")) {
          throw DockerException.invalid("invalid ESCAPE '%s'. Must be ` or \\", v);
        }
        escape = v.charAt(0);
      }
    }
    List<Instruction> out = new ArrayList<>();
    StringBuilder cur = null;
    int startLine = 0;
    for (int i = first; i < lines.size(); i++) {
      String raw = lines.get(i);
      String trimmed = raw.strip();
      if (trimmed.startsWith("#")) {
        continue; // comments, also between continued lines
      }
      if (cur == null) {
        if (trimmed.isEmpty()) {
          continue;
        }
        cur = new StringBuilder();
        startLine = i + 1;
      }
      String body = stripTrailing(raw);
      if (!body.isEmpty() && body.charAt(body.length() - 1) == escape) {
        cur.append(body, 0, body.length() - 1);
        continue;
      }
      cur.append(body);
      out.add(instruction(cur.toString().strip(), startLine));
      cur = null;
    }
    if (cur != null && !cur.toString().isBlank()) {
      out.add(instruction(cur.toString().strip(), startLine));
    }
    if (out.isEmpty()) {
      throw DockerException.invalid("the Dockerfile (Dockerfile) cannot be empty");
    }
    return new Dockerfile(escape, out);
  }

  private static String stripTrailing(String s) {
    int end = s.length();
    while (end > 0 && Character.isWhitespace(s.charAt(end - 1))) {
      end--;
    }
    return s.substring(0, end);
  }

  /** One instruction line; ONBUILD triggers are parsed with this too. */
  static Instruction instruction(String line, int lineNo) {
    int sp = indexOfSpace(line);
    String word = (sp < 0 ? line : line.substring(0, sp));
    String keyword = word.toUpperCase(Locale.ROOT);
    if (!KNOWN.contains(keyword)) {
      throw DockerException.invalid(
          "dockerfile parse error on line %d: unknown instruction: %s", lineNo, word);
    }
    String rest = sp < 0 ? "" : line.substring(sp).strip();
    Map<String, String> flags = new LinkedHashMap<>();
    if (!keyword.equals("ONBUILD")) {
      while (rest.startsWith("--")) {
        int end = indexOfSpace(rest);
        String flag = end < 0 ? rest : rest.substring(0, end);
        int eq = flag.indexOf('=');
        flags.put(
            eq < 0 ? flag.substring(2) : flag.substring(2, eq),
            eq < 0 ? "true" : flag.substring(eq + 1));
        rest = end < 0 ? "" : rest.substring(end).strip();
      }
    }
    return new Instruction(keyword, flags, rest, jsonArray(rest), lineNo, line);
  }

  private static int indexOfSpace(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (Character.isWhitespace(s.charAt(i))) {
        return i;
      }
    }
    return -1;
  }

  /** The exec form: a JSON array of strings; anything else is the shell form (null). */
  private static List<String> jsonArray(String rest) {
    if (!rest.startsWith("[")) {
      return null;
    }
    try {
      JsonNode n = Json.MAPPER.readTree(rest);
      if (!n.isArray()) {
        return null;
      }
      List<String> out = new ArrayList<>();
      for (JsonNode e : n) {
        if (!e.isTextual()) {
          return null;
        }
        out.add(e.asText());
      }
      return out;
    } catch (IOException e) {
      return null;
    }
  }
}
