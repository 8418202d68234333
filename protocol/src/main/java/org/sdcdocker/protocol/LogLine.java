package org.sdcdocker.protocol;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;

/**
 * One line of a server's log on its standard error, as JSON: time, level, component (frontend or
 * agent), the request it belongs to, the node, the message and, for a failure, its trace. A
 * request's id is on every line it causes on the front end and on the agent, so that {@code grep
 * ID} over both logs shows its whole path.
 */
public final class LogLine {
  private LogLine() {}

  /** Writes one line (null fields are left out). */
  public static void write(
      String level,
      String component,
      String requestId,
      String node,
      String message,
      Throwable error) {
    ObjectNode n = Json.MAPPER.createObjectNode();
    n.put("time", Instant.now().toString());
    n.put("level", level);
    n.put("component", component);
    if (requestId != null) {
      n.put("request", requestId);
    }
    if (node != null) {
      n.put("node", node);
    }
    n.put("message", message);
    if (error != null) {
      StringWriter trace = new StringWriter();
      error.printStackTrace(new PrintWriter(trace));
      n.put("error", trace.toString());
    }
    System.err.println(n.toString()); // println writes the line whole
  }
}
