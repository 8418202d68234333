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

  /** Wraps any failure, keeping a DockerException as it is. */
  public static DockerException of(Throwable t) {
    if (t instanceof DockerException d) {
      return d;
    }
    if (t instanceof io.vertx.core.eventbus.ReplyException r) {
      return new DockerException(ErrorKind.fromCode(r.failureCode()), r.getMessage(), r);
    }
    String msg = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    return new DockerException(ErrorKind.INTERNAL, msg, t);
  }
}
