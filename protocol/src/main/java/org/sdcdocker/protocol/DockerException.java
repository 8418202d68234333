package org.sdcdocker.protocol;

import java.nio.file.FileSystemException;
import java.util.Locale;

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
   * What went wrong, in Go's words and without a path: a file-system failure's reason ({@code no
   * space left on device}), else the message when it names no path, else the kind of failure. For
   * messages that reach a client.
   */
  public static String reason(Throwable e) {
    String r = e instanceof FileSystemException f ? f.getReason() : e.getMessage();
    if (r == null || r.contains("/")) {
      r = e.getClass().getSimpleName();
    }
    return r.isEmpty() ? r : Character.toLowerCase(r.charAt(0)) + r.substring(1);
  }

  /** Whether a failure, or one it was caused by, is the disk being full. */
  public static boolean noSpace(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      String m = t instanceof FileSystemException f ? f.getReason() : t.getMessage();
      if (m != null && m.toLowerCase(Locale.ROOT).contains("no space left on device")) {
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
    String msg = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    return new DockerException(ErrorKind.INTERNAL, msg, t);
  }

  /** The failure {@link #toWire} wrote: its kind by name, then its message. */
  public static DockerException fromWire(String wire, Throwable cause) {
    String w = wire == null ? "" : wire;
    int space = w.indexOf(' ');
    ErrorKind kind = space > 0 ? ErrorKind.byName(w.substring(0, space)) : ErrorKind.INTERNAL;
    String message =
        space > 0 && kind.name().equals(w.substring(0, space)) ? w.substring(space + 1) : w;
    return new DockerException(kind, message, cause);
  }
}
