package org.sdcdocker.frontend.endpoint;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.sdcdocker.protocol.DockerException;
import org.sdcdocker.protocol.agent.ZoneRecord;
import org.sdcdocker.protocol.agent.ZoneState;

/** The {@code filters} of {@code GET /containers/json}: name, id, label, status. */
final class ContainerFilters {
  private static final Set<String> STATUSES =
      Set.of("created", "restarting", "running", "removing", "paused", "exited", "dead");
  private static final Set<String> KNOWN =
      Set.of(
          "name",
          "id",
          "label",
          "status",
          "before",
          "since",
          "exited",
          "ancestor",
          "volume",
          "network",
          "health",
          "is-task",
          "until",
          "publish",
          "expose");

  private ContainerFilters() {}

  /** Parses the filters JSON (both the list and the old map-of-true shapes). */
  static Map<String, List<String>> parse(String json) {
    Map<String, List<String>> out = Filters.parse(json, KNOWN);
    for (String s : out.getOrDefault("status", List.of())) {
      if (!STATUSES.contains(s)) {
        throw DockerException.invalid("invalid filter 'status=%s'", s);
      }
    }
    return out;
  }

  /** A predicate: within one filter any value may match; every filter must. */
  static Predicate<ZoneRecord> predicate(Map<String, List<String>> f) {
    return predicate(f, List.of());
  }

  /** The same, with the account's containers, which before and since name. */
  static Predicate<ZoneRecord> predicate(Map<String, List<String>> f, List<ZoneRecord> all) {
    Predicate<ZoneRecord> p = r -> true;
    for (String key : List.of("before", "since")) {
      for (String ref : f.getOrDefault(key, List.of())) {
        ZoneRecord pivot =
            all.stream()
                .filter(
                    r ->
                        r.spec().id().startsWith(ref)
                            || r.spec().name().equals(ref)
                            || ("/" + r.spec().name()).equals(ref))
                .findFirst()
                .orElseThrow(() -> DockerException.notFound("No such container: %s", ref));
        String created = pivot.spec().created();
        p =
            p.and(
                key.equals("before")
                    ? r -> r.spec().created().compareTo(created) < 0
                    : r -> r.spec().created().compareTo(created) > 0);
      }
    }
    if (f.containsKey("exited")) {
      List<Integer> codes = new ArrayList<>();
      for (String c : f.get("exited")) {
        try {
          codes.add(Integer.parseInt(c));
        } catch (NumberFormatException e) {
          throw DockerException.invalid("invalid filter 'exited=%s'", c);
        }
      }
      p =
          p.and(
              r ->
                  ZoneState.EXITED.equals(r.state().status())
                      && codes.contains(r.state().exitCode()));
    }
    if (f.containsKey("ancestor")) {
      List<String> v = f.get("ancestor");
      p =
          p.and(
              r ->
                  v.stream()
                      .anyMatch(
                          a ->
                              a.equals(r.spec().image())
                                  || r.spec().imageId().startsWith(a)
                                  || r.spec().imageId().startsWith("sha256:" + a)
                                  || (a + ":latest").equals(r.spec().image())
                                  || a.equals(r.spec().image() + ":latest")));
    }
    if (f.containsKey("volume")) {
      List<String> v = f.get("volume");
      p =
          p.and(
              r ->
                  r.spec().mounts().stream()
                      .anyMatch(m -> v.contains(m.source()) || v.contains(m.target())));
    }
    if (f.containsKey("network")) {
      List<String> v = f.get("network");
      p =
          p.and(
              r ->
                  r.spec().network().endpoints().stream()
                          .anyMatch(
                              e ->
                                  v.contains(e.network())
                                      || e.networkId() != null
                                          && v.stream()
                                              .anyMatch(
                                                  x -> !x.isEmpty() && e.networkId().startsWith(x)))
                      || v.contains(r.spec().network().mode()));
    }
    for (String key : List.of("publish", "expose")) {
      for (String want : f.getOrDefault(key, List.of())) {
        PortRange range = PortRange.parse(key, want);
        p =
            p.and(
                r ->
                    key.equals("publish")
                        ? r.spec().network().ports().stream()
                            .anyMatch(x -> range.has(x.containerPort(), x.protocol()))
                        : r.spec().network().exposed().stream().anyMatch(x -> range.has(x)));
      }
    }
    if (f.containsKey("health")) {
      List<String> v = f.get("health");
      p = p.and(r -> v.contains(r.state().health() == null ? "none" : r.state().health().status()));
    }
    if (f.containsKey("is-task")) {
      p = p.and(r -> f.get("is-task").contains("false"));
    }
    if (f.containsKey("name")) {
      List<String> v = f.get("name");
      p = p.and(r -> v.stream().anyMatch(n -> matches("/" + r.spec().name(), n)));
    }
    if (f.containsKey("id")) {
      List<String> v = f.get("id");
      p = p.and(r -> v.stream().anyMatch(r.spec().id()::startsWith));
    }
    if (f.containsKey("status")) {
      List<String> v = f.get("status");
      p = p.and(r -> v.contains(r.state().status()));
    }
    if (f.containsKey("label")) {
      for (String l : f.get("label")) {
        String[] kv = l.split("=", 2);
        p =
            p.and(
                r ->
                    r.spec().labels().containsKey(kv[0])
                        && (kv.length == 1 || kv[1].equals(r.spec().labels().get(kv[0]))));
      }
    }
    return p;
  }

  /** Docker matches names as a regular expression, falling back to a substring. */
  private static boolean matches(String name, String pattern) {
    try {
      return Pattern.compile(pattern).matcher(name).find();
    } catch (PatternSyntaxException e) {
      return name.contains(pattern);
    }
  }

  /** A publish or expose filter's value: a port or a range, with or without the protocol. */
  private record PortRange(int from, int to, String protocol) {
    static PortRange parse(String key, String v) {
      Matcher m = Pattern.compile("(\\d+)(?:-(\\d+))?(?:/(\\w+))?").matcher(v);
      if (!m.matches()) {
        throw DockerException.invalid("invalid filter '%s=%s'", key, v);
      }
      int a = Integer.parseInt(m.group(1));
      return new PortRange(
          a,
          m.group(2) == null ? a : Integer.parseInt(m.group(2)),
          m.group(3) == null ? "tcp" : m.group(3));
    }

    boolean has(int port, String proto) {
      return port >= from && port <= to && proto.equals(protocol);
    }

    boolean has(String exposed) {
      String[] pp = exposed.split("/");
      return has(Integer.parseInt(pp[0]), pp.length > 1 ? pp[1] : "tcp");
    }
  }
}
