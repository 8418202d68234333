package org.sdcdocker.frontend.endpoint;

import java.util.Map;
import org.sdcdocker.protocol.DockerException;

/** Linux signal names and numbers, as {@code docker kill -s} takes them. */
final class Signals {
  private static final Map<String, Integer> BY_NAME =
      Map.ofEntries(
          Map.entry("HUP", 1),
          Map.entry("INT", 2),
          Map.entry("QUIT", 3),
          Map.entry("ILL", 4),
          Map.entry("TRAP", 5),
          Map.entry("ABRT", 6),
          Map.entry("IOT", 6),
          Map.entry("BUS", 7),
          Map.entry("FPE", 8),
          Map.entry("KILL", 9),
          Map.entry("USR1", 10),
          Map.entry("SEGV", 11),
          Map.entry("USR2", 12),
          Map.entry("PIPE", 13),
          Map.entry("ALRM", 14),
          Map.entry("TERM", 15),
          Map.entry("STKFLT", 16),
          Map.entry("CHLD", 17),
          Map.entry("CONT", 18),
          Map.entry("STOP", 19),
          Map.entry("TSTP", 20),
          Map.entry("TTIN", 21),
          Map.entry("TTOU", 22),
          Map.entry("URG", 23),
          Map.entry("XCPU", 24),
          Map.entry("XFSZ", 25),
          Map.entry("VTALRM", 26),
          Map.entry("PROF", 27),
          Map.entry("WINCH", 28),
          Map.entry("IO", 29),
          Map.entry("POLL", 29),
          Map.entry("PWR", 30),
          Map.entry("SYS", 31));

  private Signals() {}

  /** "SIGKILL", "KILL", "9" or "RTMIN+3" → the number; INVALID_PARAMETER otherwise. */
  static int parse(String s) {
    if (s == null || s.isEmpty()) {
      return 9;
    }
    String n = s.toUpperCase();
    if (n.startsWith("SIG")) {
      n = n.substring(3);
    }
    try {
      int v = Integer.parseInt(n);
      if (v > 0 && v <= 64) {
        return v;
      }
    } catch (NumberFormatException e) {
      Integer v = BY_NAME.get(n);
      if (v != null) {
        return v;
      }
      if (n.startsWith("RTMIN+") || n.startsWith("RTMAX-")) {
        try {
          int off = Integer.parseInt(n.substring(6));
          int v2 = n.startsWith("RTMIN+") ? 34 + off : 64 - off;
          if (v2 >= 34 && v2 <= 64) {
            return v2;
          }
        } catch (NumberFormatException ignored) {
          // fall through to the error
        }
      }
    }
    throw DockerException.invalid("Invalid signal: %s", s);
  }
}
