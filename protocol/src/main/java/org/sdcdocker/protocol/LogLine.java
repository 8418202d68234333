package org.sdcdocker.protocol;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One line of a server's log on its standard error, as JSON: time, level, component (frontend or
 * agent), the request it belongs to, the node, the message and, for a failure, its trace. A
 * request's id is on every line it causes on the front end and on the agent, so that {@code grep
 * ID} over both logs shows its whole path. Lines are written by one thread of their own, never by
 * the caller (often an event loop): a standard error that blocks (a full pipe) slows no request;
 * when it falls 10,000 lines behind, lines are dropped and a line says how many.
 */
public final class LogLine {
  private static final BlockingQueue<String> LINES = new ArrayBlockingQueue<>(10_000);
  private static final AtomicLong DROPPED = new AtomicLong();
  private static volatile String component = "sdc-docker";
  private static volatile String node;

  static {
    Thread writer = new Thread(LogLine::drain, "sdc-log");
    writer.setDaemon(true);
    writer.start();
    Runtime.getRuntime() // what is queued when the process stops is still written
        .addShutdownHook(
            new Thread(
                () -> {
                  for (String l = LINES.poll(); l != null; l = LINES.poll()) {
                    System.err.println(l);
                  }
                },
                "sdc-log-flush"));
  }

  private LogLine() {}

  private static void drain() {
    while (true) {
      String line;
      try {
        line = LINES.take();
      } catch (InterruptedException e) {
        return;
      }
      long dropped = DROPPED.getAndSet(0);
      if (dropped > 0) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("time", Instant.now().toString());
        n.put("level", "warn");
        n.put("component", "log");
        n.put("message", dropped + " log lines dropped: standard error did not keep up");
        System.err.println(n.toString());
      }
      System.err.println(line); // println writes the line whole
    }
  }

  /**
   * Names this process for the lines of its loggers (SLF4J's, ours and the libraries'): its role
   * ({@code serve}, {@code frontend}, {@code agent}) and, on an agent, its node.
   */
  public static void identify(String role, String cnUuid) {
    component = role;
    node = cnUuid;
  }

  /** A logger's line ({@code logger}: its name), with this process's component and node. */
  public static void write(
      String level, String logger, String requestId, String message, Throwable error) {
    queue(level, component, logger, requestId, node, message, error);
  }

  /** Queues one line for the writer (null fields are left out). */
  public static void write(
      String level,
      String component,
      String requestId,
      String node,
      String message,
      Throwable error) {
    queue(level, component, null, requestId, node, message, error);
  }

  private static void queue(
      String level,
      String component,
      String logger,
      String requestId,
      String node,
      String message,
      Throwable error) {
    ObjectNode n = Json.MAPPER.createObjectNode();
    n.put("time", Instant.now().toString());
    n.put("level", level);
    n.put("component", component);
    if (logger != null) {
      n.put("logger", logger);
    }
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
    if (!LINES.offer(n.toString())) {
      DROPPED.incrementAndGet();
    }
  }
}
