package org.sdcdocker.frontend.translate;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.sdcdocker.protocol.DockerException;
import org.sdcdocker.protocol.Json;
import org.sdcdocker.protocol.agent.ContainerSpec;
import org.sdcdocker.protocol.agent.ZoneRecord;

/**
 * Affinity rules as sdc-docker and classic Swarm take them: {@code -e affinity:<key><op><value>} or
 * the label {@code com.docker.swarm.affinities} (a JSON array of such expressions). The key {@code
 * container} (or {@code instance}) names the account's containers by id, id prefix, name, glob or
 * {@code /regex/}; any other key a label of theirs. {@code ==} places the new container on the node
 * of the containers that match, {@code !=} on a node that has none of them; a {@code ~} after the
 * operator makes the rule soft: followed when it can be, dropped otherwise. A hard {@code ==} that
 * matches no container is an error; a hard {@code !=} that matches none is no constraint.
 */
public record Affinity(String key, boolean near, boolean soft, String value, String text) {
  /** The label that carries a container's affinities, as Swarm named it. */
  public static final String LABEL = "com.docker.swarm.affinities";

  private static final Pattern KEY =
      Pattern.compile("^[a-z_][a-z0-9\\-_.]+$", Pattern.CASE_INSENSITIVE);
  private static final Pattern VALUE =
      Pattern.compile("^[a-zA-Z0-9\\s\\-:_.*()/?+\\[\\]\\\\^$|]+$");

  /** Parses one expression, refused in sdc-docker's words. */
  public static Affinity parse(String text) {
    int at = -1;
    String op = null;
    for (String o : List.of("==", "!=")) {
      int i = text.indexOf(o);
      if (i > 0 && (at < 0 || i < at)) {
        at = i;
        op = o;
      }
    }
    if (at < 0) {
      throw DockerException.invalid(
          "could not find operator in filter expression: expected one of ==, !=: \"%s\"", text);
    }
    String key = text.substring(0, at).trim();
    String rest = text.substring(at + 2);
    boolean soft = rest.startsWith("~");
    String value = (soft ? rest.substring(1) : rest).trim();
    if (!KEY.matcher(key).matches()) {
      throw DockerException.invalid(
          "invalid key in filter expression: \"%s\": \"%s\" does not match /%s/i",
          text, key, KEY.pattern());
    }
    if (value.isEmpty() || !VALUE.matcher(value).matches()) {
      throw DockerException.invalid("invalid value in filter expression: \"%s\"", text);
    }
    if (isRegex(value)) {
      try {
        Pattern.compile(value.substring(1, value.length() - 1));
      } catch (PatternSyntaxException e) {
        throw DockerException.invalid("invalid value in filter expression: \"%s\"", text);
      }
    }
    return new Affinity(key.toLowerCase(), op.equals("=="), soft, value, text);
  }

  /** The affinities a spec's label carries (none when it has no such label). */
  public static List<Affinity> of(ContainerSpec spec) {
    String label = spec.labels().get(LABEL);
    if (label == null || label.isBlank()) {
      return List.of();
    }
    return parseLabel(label);
  }

  /** The label's JSON array of expressions, each parsed. */
  public static List<Affinity> parseLabel(String label) {
    Object parsed;
    try {
      parsed = Json.decode(label, Object.class);
    } catch (DockerException e) {
      throw DockerException.invalid("invalid affinities label: %s", label);
    }
    if (!(parsed instanceof List<?> list)) {
      throw DockerException.invalid("affinities label is not an array: %s", label);
    }
    List<Affinity> out = new ArrayList<>();
    for (Object o : list) {
      out.add(parse(String.valueOf(o)));
    }
    return out;
  }

  /** Whether the rule is about the account's container {@code r}. */
  public boolean matches(ZoneRecord r, List<ZoneRecord> all) {
    ContainerSpec s = r.spec();
    if (key.equals("container") || key.equals("instance")) {
      if (isRegex(value) || value.contains("*")) {
        return matchesText(s.name());
      }
      if (value.matches("[0-9a-f]{64}")) {
        return s.id().equals(value);
      }
      // a name first; else a unique id prefix, as docker resolves a reference
      if (all.stream().anyMatch(x -> x.spec().name().equals(value))) {
        return s.name().equals(value);
      }
      return value.matches("[0-9a-f]+") && s.id().startsWith(value);
    }
    String v = s.labels().get(key);
    return v != null && matchesText(v);
  }

  private boolean matchesText(String text) {
    if (isRegex(value)) {
      return Pattern.compile(value.substring(1, value.length() - 1)).matcher(text).find();
    }
    if (value.contains("*")) {
      return globToRegex(value).matcher(text).matches();
    }
    return text.equals(value);
  }

  /** Whether an affinity needs the account's containers at all (key image is not one). */
  public boolean ignored() {
    return key.equals("image");
  }

  /** What a hard rule that matched nothing says. */
  public DockerException noMatch() {
    return key.equals("container") || key.equals("instance")
        ? DockerException.conflict(
            "no active containers found matching \"%s\" for affinity \"%s\"", value, text)
        : DockerException.conflict(
            "no active containers found matching tag \"%s=%s\" for affinity \"%s\"",
            key, value, text);
  }

  private static boolean isRegex(String v) {
    return v.length() >= 3 && v.startsWith("/") && v.endsWith("/");
  }

  private static Pattern globToRegex(String glob) {
    StringBuilder re = new StringBuilder();
    for (char c : glob.toCharArray()) {
      re.append(c == '*' ? ".*" : Pattern.quote(String.valueOf(c)));
    }
    return Pattern.compile(re.toString());
  }

  /** The env entries that are affinities, and the rest. */
  public record Split(List<String> env, List<String> affinities) {}

  /** Takes the {@code affinity:} entries out of a container's env. */
  public static Split fromEnv(List<String> env) {
    List<String> rest = new ArrayList<>();
    List<String> aff = new ArrayList<>();
    for (String e : env) {
      if (e.startsWith("affinity:")) {
        aff.add(e.substring("affinity:".length()));
      } else {
        rest.add(e);
      }
    }
    return new Split(rest, aff);
  }

  /** The label's value for these expressions (the label's own first, then the env's). */
  public static String label(Map<String, String> labels, List<String> fromEnv) {
    List<String> all = new ArrayList<>();
    String existing = labels.get(LABEL);
    if (existing != null && !existing.isBlank()) {
      parseLabel(existing).forEach(a -> all.add(a.text()));
    }
    fromEnv.forEach(e -> all.add(parse(e).text()));
    return Json.encode(all);
  }
}
