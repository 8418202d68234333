package org.sdcdocker.protocol;

/** The one exception type of the system: a kind and a message in Docker's words. */
public final class DockerException extends RuntimeException {
  private final ErrorKind kind;

  public DockerException(ErrorKind kind, String message) {
    super(message);
    this.kind = kind;
  }

  public DockerException(ErrorKind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
  }

  /** What went wrong, for the status code. */
  public ErrorKind kind() {
    return kind;
  }

  public static DockerException notFound(String format, Object... args) {
    return new DockerException(ErrorKind.NOT_FOUND, String.format(format, args));
  }

  public static DockerException invalid(String format, Object... args) {
    return new DockerException(ErrorKind.INVALID_PARAMETER, String.format(format, args));
  }

  public static DockerException conflict(String format, Object... args) {
    return new DockerException(ErrorKind.CONFLICT, String.format(format, args));
  }

  public static DockerException forbidden(String format, Object... args) {
    return new DockerException(ErrorKind.FORBIDDEN, String.format(format, args));
  }

  public static DockerException unavailable(String format, Object... args) {
    return new DockerException(ErrorKind.UNAVAILABLE, String.format(format, args));
  }

  public static DockerException internal(String format, Object... args) {
    return new DockerException(ErrorKind.INTERNAL, String.format(format, args));
  }

  /**
   * The failure as an event-bus reply carries it: the kind by name, a space, the message. (A
   * failure code would be an ordinal, which changes meaning when the enum grows.)
   */
  public String toWire() {
    return kind.name() + " " + getMessage();
  }

  /**
   * What went wrong, in Go's words and without a path: a file-system failure's reason
   * ({@code no space left on device}), else the message when it names no path, else the kind of
   * failure. For messages that reach a client.
   */
  public static String reason(Throwable e) {
    String r = e instanceof java.nio.file.FileSystemException f ? f.getReason() : e.getMessage();
    if (r == null || r.contains("/")) {
      r = e.getClass().getSimpleName();
    }
    return r.isEmpty() ? r : Character.toLowerCase(r.charAt(0)) + r.substring(1);
  }

  /** Whether a failure, or one it was caused by, is the disk being full. */
  public static boolean noSpace(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      String m = t instanceof java.nio.file.FileSystemException f ? f.getReason() : t.getMessage();
      if (m != null && m.toLowerCase(java.util.Locale.ROOT).contains("no space left on device")) {
        return true;
      }
    }
    return false;
  }

  /** Wraps any failure, keeping a DockerException as it is. */
  public static DockerException of(Throwable t) {
    if (t instanceof DockerException d) {
      return d;
    }
    if (t instanceof io.vertx.core.eventbus.ReplyException r) {
      return fromReply(r);
    }
    String msg = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    return new DockerException(ErrorKind.INTERNAL, msg, t);
  }

  private static DockerException fromReply(io.vertx.core.eventbus.ReplyException r) {
    switch (r.failureType()) {
      case TIMEOUT:
        return new DockerException(ErrorKind.UNAVAILABLE, "the compute node did not answer in time", r);
      case NO_HANDLERS:
        return new DockerException(ErrorKind.UNAVAILABLE, "the compute node is not reachable", r);
      default:
        break;
    }
    String wire = r.getMessage() == null ? "" : r.getMessage();
    int space = wire.indexOf(' ');
    ErrorKind kind = space > 0 ? ErrorKind.byName(wire.substring(0, space)) : ErrorKind.INTERNAL;
    String message = space > 0 && kind.name().equals(wire.substring(0, space)) ? wire.substring(space + 1) : wire;
    return new DockerException(kind, message, r);
  }
}
