package org.sdcdocker.agent.zone;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import org.sdcdocker.protocol.DockerException;

/**
 * Which addresses a URL volume may be fetched from. The agent fetches from the compute node itself,
 * where the API's loopback listener, the node's services, the admin network and other tenants'
 * containers answer; so by default only public unicast addresses are allowed: never loopback,
 * unspecified, link-local, multicast, private (RFC 1918, unique local, shared 100.64/10), reserved
 * or documentation ranges, nor any address of the node's own interfaces. The operator allows more
 * with {@code --url-volume-allow CIDR} (an artifact server on a private network, say); what is
 * allowed there is allowed whatever its kind.
 */
public final class UrlPolicy {
  /** A prefix of either family. */
  private record Prefix(byte[] base, int bits) {
    boolean contains(byte[] a) {
      if (a.length != base.length) {
        return false;
      }
      for (int i = 0; i < bits; i++) {
        int mask = 0x80 >>> (i % 8);
        if ((a[i / 8] & mask) != (base[i / 8] & mask)) {
          return false;
        }
      }
      return true;
    }
  }

  private static final List<Prefix> PRIVATE =
      List.of(
          prefix("10.0.0.0/8"),
          prefix("172.16.0.0/12"),
          prefix("192.168.0.0/16"),
          prefix("100.64.0.0/10"),
          prefix("fc00::/7"));

  private static final List<Prefix> RESERVED =
      List.of(
          prefix("0.0.0.0/8"),
          prefix("192.0.0.0/24"),
          prefix("192.0.2.0/24"),
          prefix("198.18.0.0/15"),
          prefix("198.51.100.0/24"),
          prefix("203.0.113.0/24"),
          prefix("240.0.0.0/4"),
          prefix("64:ff9b::/96"),
          prefix("100::/64"),
          prefix("2001:db8::/32"),
          prefix("fec0::/10"));

  private final List<Prefix> allowed;
  private final Supplier<Set<InetAddress>> own;

  private UrlPolicy(List<Prefix> allowed, Supplier<Set<InetAddress>> own) {
    this.allowed = allowed;
    this.own = own;
  }

  /** The policy with the operator's allowed prefixes; a bad one is an error that names it. */
  public static UrlPolicy of(List<String> allow) {
    return of(allow, UrlPolicy::nodeAddresses);
  }

  static UrlPolicy of(List<String> allow, Supplier<Set<InetAddress>> own) {
    List<Prefix> out = new ArrayList<>();
    for (String a : allow == null ? List.<String>of() : allow) {
      for (String one : a.split(",")) {
        if (!one.isBlank()) {
          out.add(prefix(one.trim()));
        }
      }
    }
    return new UrlPolicy(List.copyOf(out), own);
  }

  /** Why an address is refused, as a phrase ("a loopback address"), or null when it is allowed. */
  public String refusal(InetAddress a) {
    byte[] b = a.getAddress();
    for (Prefix p : allowed) {
      if (p.contains(b)) {
        return null;
      }
    }
    if (a.isLoopbackAddress()) {
      return "a loopback address";
    }
    if (a.isAnyLocalAddress()) {
      return "an unspecified address";
    }
    if (a.isLinkLocalAddress()) {
      return "a link-local address";
    }
    if (a.isMulticastAddress()
        || (a instanceof Inet4Address && (b[0] & 0xff) == 255 && allOnes(b))) {
      return "a multicast or broadcast address";
    }
    if (a instanceof Inet6Address six && six.isIPv4CompatibleAddress()) {
      return "a reserved address";
    }
    for (Prefix p : PRIVATE) {
      if (p.contains(b)) {
        return "a private address";
      }
    }
    for (Prefix p : RESERVED) {
      if (p.contains(b)) {
        return "a reserved address";
      }
    }
    if (own.get().contains(a)) {
      return "an address of this compute node";
    }
    return null;
  }

  private static boolean allOnes(byte[] b) {
    for (byte x : b) {
      if (x != (byte) 0xff) {
        return false;
      }
    }
    return true;
  }

  private static Prefix prefix(String cidr) {
    String[] parts = cidr.split("/", 2);
    try {
      if (!parts[0].matches("[0-9a-fA-F.:]+")) {
        throw new IllegalArgumentException(); // an address, never a name to look up
      }
      byte[] base = InetAddress.getByName(parts[0]).getAddress();
      int bits = parts.length == 2 ? Integer.parseInt(parts[1]) : base.length * 8;
      if (bits < 0 || bits > base.length * 8) {
        throw new IllegalArgumentException();
      }
      return new Prefix(base, bits);
    } catch (UnknownHostException | RuntimeException e) {
      throw DockerException.invalid("invalid CIDR address: %s", cidr);
    }
  }

  /** The addresses of this node's interfaces (of the agent's network namespace). */
  private static Set<InetAddress> nodeAddresses() {
    Set<InetAddress> out = new HashSet<>();
    try {
      for (NetworkInterface i : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        out.addAll(Collections.list(i.getInetAddresses()));
      }
    } catch (SocketException e) {
      // none known: the other rules still hold
    }
    return out;
  }
}
