package org.sdcdocker.frontend.translate;

import java.security.SecureRandom;
import java.util.regex.Pattern;
import org.sdcdocker.protocol.DockerException;

/** Container names: Docker's rule for given ones, and adjective_name for the rest. */
public final class Names {
  private static final Pattern VALID = Pattern.compile("/?[a-zA-Z0-9][a-zA-Z0-9_.-]+");
  private static final String[] LEFT = {
    "admiring", "brave", "clever", "dazzling", "eager", "focused", "gallant", "happy", "jolly",
        "keen",
    "loving", "modest", "nifty", "optimistic", "quirky", "relaxed", "serene", "tender", "upbeat",
        "vibrant",
    "wizardly", "youthful", "zealous", "bold", "calm", "dreamy", "elegant", "festive", "gifted",
        "hopeful"
  };
  private static final String[] RIGHT = {
    "agnesi",
    "babbage",
    "curie",
    "darwin",
    "euler",
    "fermi",
    "galileo",
    "hopper",
    "joliot",
    "kepler",
    "lovelace",
    "meitner",
    "noether",
    "pasteur",
    "ritchie",
    "shannon",
    "thompson",
    "turing",
    "wozniak",
    "yalow",
    "bell",
    "cerf",
    "dijkstra",
    "einstein",
    "feynman",
    "goldberg",
    "hamilton",
    "knuth",
    "lamport"
  };
  private static final SecureRandom RANDOM = new SecureRandom();

  private Names() {}

  /** Validates a requested name; the leading slash is dropped. */
  public static String validate(String name) {
    if (!VALID.matcher(name).matches()) {
      throw DockerException.invalid(
          "Invalid container name (%s), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed", name);
    }
    return name.startsWith("/") ? name.substring(1) : name;
  }

  /** A name as Docker makes them: adjective_scientist and a number. */
  public static String random() {
    return LEFT[RANDOM.nextInt(LEFT.length)]
        + "_"
        + RIGHT[RANDOM.nextInt(RIGHT.length)]
        + RANDOM.nextInt(100);
  }
}
