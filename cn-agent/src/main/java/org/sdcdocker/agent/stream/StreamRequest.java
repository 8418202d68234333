package org.sdcdocker.agent.stream;

import java.math.BigDecimal;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * What a client asked to read of a zone's output: Docker's logs/attach query parameters, parsed
 * once.
 */
record StreamRequest(
    boolean attach,
    boolean follow,
    boolean stdout,
    boolean stderr,
    boolean stdin,
    boolean timestamps,
    long sinceNanos,
    long untilNanos,
    int tail,
    String details,
    boolean resumable,
    long offset,
    boolean mergeFrames) {

  /**
   * The same request with the zone's log attributes for {@code details} (when it was asked for).
   */
  StreamRequest withDetails(String attrs) {
    return details == null
        ? this
        : new StreamRequest(
            attach,
            follow,
            stdout,
            stderr,
            stdin,
            timestamps,
            sinceNanos,
            untilNanos,
            tail,
            attrs,
            resumable,
            offset,
            mergeFrames);
  }

  /** Parses a query string such as {@code follow=1&stdout=1&tail=10}. */
  static StreamRequest parse(String kind, String query) {
    Map<String, String> q = new HashMap<>();
    if (query != null) {
      for (String kv : query.split("&")) {
        if (!kv.isEmpty()) {
          int eq = kv.indexOf('=');
          q.put(
              eq < 0 ? kv : kv.substring(0, eq),
              eq < 0 ? "" : URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8));
        }
      }
    }
    boolean attach = "attach".equals(kind);
    String tail = q.getOrDefault("tail", "all");
    return new StreamRequest(
        attach,
        attach || bool(q.get("follow")),
        bool(q.get("stdout")),
        bool(q.get("stderr")),
        attach && bool(q.get("stdin")),
        bool(q.get("timestamps")),
        time(q.get("since")),
        time(q.get("until")),
        tail.equals("all") || tail.isEmpty() ? -1 : Integer.parseInt(tail),
        bool(q.get("details")) ? "" : null,
        bool(q.get("resumable")),
        q.containsKey("offset") ? Long.parseLong(q.get("offset")) : -1,
        "merged".equals(q.get("frames")));
  }

  /** One parameter of a query string, decoded; null when absent. */
  static String param(String query, String name) {
    if (query == null) {
      return null;
    }
    for (String kv : query.split("&")) {
      int eq = kv.indexOf('=');
      if ((eq < 0 ? kv : kv.substring(0, eq)).equals(name)) {
        return eq < 0 ? "" : URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8);
      }
    }
    return null;
  }

  private static boolean bool(String v) {
    return v != null && (v.equals("1") || v.equalsIgnoreCase("true"));
  }

  /** Docker sends unix seconds with an optional fraction; 0 means no bound. */
  private static long time(String v) {
    if (v == null || v.isEmpty()) {
      return 0;
    }
    BigDecimal d = new BigDecimal(v);
    return d.movePointRight(9).longValue();
  }
}
