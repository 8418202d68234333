package org.sdcdocker.frontend.image;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;
import java.util.Set;
import org.sdcdocker.protocol.DockerException;

/**
 * An image platform, {@code os[/architecture[/variant]]}, as the {@code platform} parameter of pull
 * and create gives it; names are normalized as Docker normalizes them (x86_64 is amd64).
 */
public record Platform(String os, String architecture, String variant) {
  private static final Set<String> OSES =
      Set.of(
          "aix",
          "android",
          "darwin",
          "dragonfly",
          "freebsd",
          "hurd",
          "illumos",
          "ios",
          "js",
          "linux",
          "nacl",
          "netbsd",
          "openbsd",
          "plan9",
          "solaris",
          "windows",
          "zos");
  private static final Set<String> ARCHES =
      Set.of(
          "386",
          "amd64",
          "amd64p32",
          "arm",
          "armbe",
          "arm64",
          "arm64be",
          "ppc64",
          "ppc64le",
          "loong64",
          "mips",
          "mipsle",
          "mips64",
          "mips64le",
          "mips64p32",
          "mips64p32le",
          "ppc",
          "riscv",
          "riscv64",
          "s390",
          "s390x",
          "sparc",
          "sparc64",
          "wasm");

  /** This host's platform. */
  public static Platform host() {
    return new Platform("linux", PullTask.architecture(), "");
  }

  /** The platform a client named; a 400 in Docker's words when it names none. */
  public static Platform parse(String spec) {
    String s = spec.trim().toLowerCase(Locale.ROOT);
    String[] p = s.split("/", -1);
    for (String part : p) {
      if (!part.matches("[a-z0-9_-]+")) {
        throw unknown(spec);
      }
    }
    Platform out;
    if (p.length == 1) {
      if (OSES.contains(p[0])) {
        out = new Platform(p[0], PullTask.architecture(), "");
      } else if (ARCHES.contains(arch(p[0])[0])) {
        String[] a = arch(p[0]);
        out = new Platform("linux", a[0], a[1]);
      } else {
        throw unknown(spec);
      }
    } else if (p.length <= 3) {
      String[] a = arch(p[1]);
      out = new Platform(p[0].equals("macos") ? "darwin" : p[0], a[0], p.length == 3 ? p[2] : a[1]);
      if (!OSES.contains(out.os) || !ARCHES.contains(out.architecture)) {
        throw unknown(spec);
      }
    } else {
      throw unknown(spec);
    }
    return out.normalized();
  }

  /** The platform an image's config records. */
  public static Platform ofConfig(JsonNode config) {
    String[] a = arch(config.path("architecture").asText("amd64"));
    String v = config.path("variant").asText("");
    return new Platform(config.path("os").asText("linux"), a[0], v.isEmpty() ? a[1] : v)
        .normalized();
  }

  /** Whether an image of {@code image}'s platform serves a request for this one. */
  public boolean accepts(Platform image) {
    return os.equals(image.os)
        && architecture.equals(image.architecture)
        && (variant.isEmpty() || variant.equals(image.variant));
  }

  private Platform normalized() {
    String v = variant;
    if (architecture.equals("arm64") && v.equals("v8")) {
      v = ""; // arm64's only variant in practice; Docker drops it
    }
    return new Platform(os, architecture, v);
  }

  private static String[] arch(String a) {
    return switch (a) {
      case "x86_64", "x86-64" -> new String[] {"amd64", ""};
      case "i386", "i686" -> new String[] {"386", ""};
      case "aarch64" -> new String[] {"arm64", ""};
      case "armhf", "armel" -> new String[] {"arm", a.equals("armhf") ? "v7" : "v6"};
      default -> new String[] {a, ""};
    };
  }

  private static DockerException unknown(String spec) {
    return DockerException.invalid(
        "\"%s\": unknown operating system or architecture: invalid argument", spec);
  }

  @Override
  public String toString() {
    return os + "/" + architecture + (variant.isEmpty() ? "" : "/" + variant);
  }
}
