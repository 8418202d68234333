package org.sdcdocker.protocol;

/** An IPv4 prefix, parsed once: {@code 10.210.3.0/24}. */
public record Cidr(int base, int bits) {
  /** Parses {@code a.b.c.d/n}; the host bits are cleared. */
  public static Cidr parse(String s) {
    String[] parts = s.split("/", 2);
    try {
      int bits = parts.length == 2 ? Integer.parseInt(parts[1]) : 32;
      if (bits < 0 || bits > 32) {
        throw new NumberFormatException();
      }
      return new Cidr(addr(parts[0]) & mask(bits), bits);
    } catch (RuntimeException e) {
      throw DockerException.invalid("invalid CIDR address: %s", s);
    }
  }

  /** A dotted IPv4 address as an int. */
  public static int addr(String dotted) {
    String[] o = dotted.trim().split("\\.");
    if (o.length != 4) {
      throw DockerException.invalid("invalid IPv4 address: %s", dotted);
    }
    int v = 0;
    for (String x : o) {
      int b = Integer.parseInt(x);
      if (b < 0 || b > 255) {
        throw DockerException.invalid("invalid IPv4 address: %s", dotted);
      }
      v = (v << 8) | b;
    }
    return v;
  }

  public static String dotted(int a) {
    return ((a >>> 24) & 255)
        + "."
        + ((a >>> 16) & 255)
        + "."
        + ((a >>> 8) & 255)
        + "."
        + (a & 255);
  }

  private static int mask(int bits) {
    return bits == 0 ? 0 : -1 << (32 - bits);
  }

  public boolean contains(int a) {
    return (a & mask(bits)) == base;
  }

  public boolean contains(Cidr other) {
    return other.bits >= bits && contains(other.base);
  }

  public boolean overlaps(Cidr other) {
    return contains(other.base) || other.contains(base);
  }

  /** The n-th host address (1 is the first after the network address). */
  public int host(int n) {
    return base + n;
  }

  /** The last usable address (before the broadcast address). */
  public int lastHost() {
    return base + (int) ((1L << (32 - bits)) - 2);
  }

  /** The i-th subnet of {@code newBits} inside this one, or null past the end. */
  public Cidr subnet(int i, int newBits) {
    long count = 1L << (newBits - bits);
    if (newBits < bits || i >= count) {
      return null;
    }
    return new Cidr(base + (int) ((long) i << (32 - newBits)), newBits);
  }

  @Override
  public String toString() {
    return dotted(base) + "/" + bits;
  }
}
