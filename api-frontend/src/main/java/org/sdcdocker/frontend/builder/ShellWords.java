package org.sdcdocker.frontend.builder;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.sdcdocker.protocol.DockerException;

/**
 * A Dockerfile's word processing for the instructions that expand variables (ENV, LABEL, COPY,
 * WORKDIR, ...): {@code $VAR}, {@code ${VAR}}, {@code ${VAR:-word}}, {@code ${VAR:+word}}, quote
 * removal (single quotes literal, double quotes expanding), the escape character, and splitting
 * into words on unquoted white space.
 */
final class ShellWords {
  private final String text;
  private final Map<String, String> env;
  private final char escape;
  private int pos;

  private ShellWords(String text, Map<String, String> env, char escape) {
    this.text = text;
    this.env = env;
    this.escape = escape;
  }

  /** The words of {@code text}, expanded and unquoted. */
  static List<String> words(String text, Map<String, String> env, char escape) {
    return new ShellWords(text, env, escape).split(true);
  }

  /** The whole of {@code text} as one word (white space kept), expanded and unquoted. */
  static String word(String text, Map<String, String> env, char escape) {
    List<String> w = new ShellWords(text, env, escape).split(false);
    return w.isEmpty() ? "" : w.get(0);
  }

  private List<String> split(boolean onSpace) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    boolean any = false;
    while (pos < text.length()) {
      char c = text.charAt(pos);
      if (onSpace && Character.isWhitespace(c)) {
        pos++;
        if (any) {
          out.add(cur.toString());
          cur.setLength(0);
          any = false;
        }
        continue;
      }
      any = true;
      if (c == '\'') {
        pos++;
        int end = text.indexOf('\'', pos);
        if (end < 0) {
          throw DockerException.invalid(
              "unexpected end of statement while looking for matching single-quote");
        }
        cur.append(text, pos, end);
        pos = end + 1;
      } else if (c == '"') {
        pos++;
        doubleQuoted(cur);
      } else {
        character(cur, true);
      }
    }
    if (any) {
      out.add(cur.toString());
    }
    return out;
  }

  private void doubleQuoted(StringBuilder cur) {
    while (pos < text.length()) {
      char c = text.charAt(pos);
      if (c == '"') {
        pos++;
        return;
      }
      // inside double quotes the escape character escapes only " $ ` and itself
      boolean escapes =
          pos + 1 < text.length()
              && ("\"$`".indexOf(text.charAt(pos + 1)) >= 0 || text.charAt(pos + 1) == escape);
      character(cur, escapes);
    }
    throw DockerException.invalid(
        "unexpected end of statement while looking for matching double-quote");
  }

  /**
   * At pos: an escaped character (when {@code escapes}), a variable's value, or the character
   * itself.
   */
  private void character(StringBuilder cur, boolean escapes) {
    char c = text.charAt(pos);
    if (c == escape && escapes && pos + 1 < text.length()) {
      cur.append(text.charAt(pos + 1));
      pos += 2;
    } else if (c == '$') {
      cur.append(variable());
    } else {
      cur.append(c);
      pos++;
    }
  }

  /** At a '$': the variable's value (or the '$' itself when no name follows). */
  private String variable() {
    pos++;
    if (pos >= text.length()) {
      return "$";
    }
    if (text.charAt(pos) == '{') {
      int end = text.indexOf('}', pos);
      if (end < 0) {
        throw DockerException.invalid("missing '}' in variable substitution: %s", text);
      }
      String inner = text.substring(pos + 1, end);
      pos = end + 1;
      int colon = inner.indexOf(':');
      if (colon < 0) {
        return env.getOrDefault(inner, "");
      }
      String name = inner.substring(0, colon);
      String rest = inner.substring(colon + 1);
      String value = env.get(name);
      if (rest.startsWith("-")) {
        return value == null || value.isEmpty() ? word(rest.substring(1), env, escape) : value;
      }
      if (rest.startsWith("+")) {
        return value == null || value.isEmpty() ? "" : word(rest.substring(1), env, escape);
      }
      throw DockerException.invalid(
          "unsupported modifier (%s) in substitution", rest.isEmpty() ? "" : rest.charAt(0));
    }
    int start = pos;
    while (pos < text.length()
        && (Character.isLetterOrDigit(text.charAt(pos)) || text.charAt(pos) == '_')) {
      pos++;
    }
    if (start == pos) {
      return "$";
    }
    return env.getOrDefault(text.substring(start, pos), "");
  }
}
