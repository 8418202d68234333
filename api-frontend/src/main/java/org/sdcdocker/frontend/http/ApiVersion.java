package org.sdcdocker.frontend.http;

import org.sdcdocker.protocol.DockerException;

/** An Engine API version such as 1.50, comparable, parsed once at the edge. */
public record ApiVersion(int major, int minor) implements Comparable<ApiVersion> {
  public static final ApiVersion MIN = new ApiVersion(1, 24);
  public static final ApiVersion MAX = new ApiVersion(1, 50);

  /** Parses "1.50"; INVALID_PARAMETER when malformed. */
  public static ApiVersion parse(String s) {
    String[] p = s.split("\\.");
    try {
      if (p.length == 2) {
        return new ApiVersion(Integer.parseInt(p[0]), Integer.parseInt(p[1]));
      }
    } catch (NumberFormatException e) {
      // fall through
    }
    throw DockerException.invalid("invalid API version: %s", s);
  }

  /** Parses and checks against the supported range, with Docker's messages. */
  public static ApiVersion supported(String s) {
    ApiVersion v = parse(s);
    if (v.compareTo(MAX) > 0) {
      throw DockerException.invalid(
          "client version %s is too new. Maximum supported API version is %s", s, MAX);
    }
    if (v.compareTo(MIN) < 0) {
      throw DockerException.invalid(
          "client version %s is too old. Minimum supported API version is %s, "
              + "please upgrade your client to a newer version",
          s, MIN);
    }
    return v;
  }

  public boolean atLeast(int maj, int min) {
    return compareTo(new ApiVersion(maj, min)) >= 0;
  }

  @Override
  public int compareTo(ApiVersion o) {
    return major != o.major ? Integer.compare(major, o.major) : Integer.compare(minor, o.minor);
  }

  @Override
  public String toString() {
    return major + "." + minor;
  }
}
