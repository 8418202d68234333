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
  INTERNAL;

  /** The kind carried as an event-bus failure code, INTERNAL for codes we did not send. */
  public static ErrorKind fromCode(int code) {
    ErrorKind[] all = values();
    return code >= 0 && code < all.length ? all[code] : INTERNAL;
  }
}
