package org.sdcdocker.protocol;

/** The closed set of error kinds; the front end maps each to one HTTP status. */
public enum ErrorKind {
  NOT_FOUND,
  INVALID_PARAMETER,
  CONFLICT,
  NOT_MODIFIED,
  UNAUTHORIZED,
  FORBIDDEN,
  NOT_IMPLEMENTED,
  UNAVAILABLE,
  /** Well-formed but nothing can satisfy it (no package fits): 422. */
  UNPROCESSABLE,
  INTERNAL;

  /** The kind a name on the wire names; INTERNAL for a name this side does not know. */
  public static ErrorKind byName(String name) {
    for (ErrorKind k : values()) {
      if (k.name().equals(name)) {
        return k;
      }
    }
    return INTERNAL;
  }
}
