package org.sdcdocker.protocol;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * A container's id as Docker makes them: 64 lowercase hex digits, random; people see the first 12.
 * Made only from text of that form, so it is safe as a file name. (The wire still carries the text:
 * {@link #value}.)
 */
public record ContainerId(String value) {
  private static final Pattern FORM = Pattern.compile("[0-9a-f]{64}");
  private static final SecureRandom RANDOM = new SecureRandom();

  /** How many digits people see: {@code docker ps}, hostnames, names on networks. */
  public static final int SHORT = 12;

  public ContainerId {
    if (!is(value)) {
      throw new IllegalArgumentException("not a container id");
    }
  }

  /** A new random id. */
  public static ContainerId random() {
    byte[] b = new byte[32];
    RANDOM.nextBytes(b);
    return new ContainerId(HexFormat.of().formatHex(b));
  }

  /** Whether a text has an id's form. */
  public static boolean is(String text) {
    return text != null && FORM.matcher(text).matches();
  }

  /** The short form of an id's text. */
  public static String shortOf(String id) {
    return id.length() > SHORT ? id.substring(0, SHORT) : id;
  }

  /** The short form people see. */
  public String shortForm() {
    return shortOf(value);
  }
}
