package org.sdcdocker.frontend.image;

import java.util.regex.Pattern;
import org.sdcdocker.protocol.DockerException;

/**
 * A parsed image reference: registry, repository, and a tag or digest. {@code busybox} is {@code
 * docker.io/library/busybox:latest}, as Docker normalizes it.
 */
public record ImageReference(String registry, String repository, String tag, String digest) {
  public static final String DOCKER_HUB = "docker.io";
  private static final Pattern REPO =
      Pattern.compile(
          "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*");
  private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
  private static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-f]{64}");

  /** Parses a reference as the docker CLI writes it; INVALID_PARAMETER when malformed. */
  public static ImageReference parse(String ref) {
    if (ref == null || ref.isEmpty()) {
      throw DockerException.invalid("invalid reference format");
    }
    String rest = ref;
    String digest = null;
    int at = rest.indexOf('@');
    if (at >= 0) {
      digest = rest.substring(at + 1);
      rest = rest.substring(0, at);
      if (!DIGEST.matcher(digest).matches()) {
        throw DockerException.invalid("invalid reference format: %s", ref);
      }
    }
    String tag = null;
    int colon = rest.lastIndexOf(':');
    if (colon > rest.lastIndexOf('/')) {
      tag = rest.substring(colon + 1);
      rest = rest.substring(0, colon);
      if (!TAG.matcher(tag).matches()) {
        throw DockerException.invalid("invalid reference format: %s", ref);
      }
    }
    String registry = DOCKER_HUB;
    int slash = rest.indexOf('/');
    if (slash > 0) {
      String first = rest.substring(0, slash);
      if (first.contains(".") || first.contains(":") || first.equals("localhost")) {
        registry =
            first.equals("index.docker.io")
                ? DOCKER_HUB
                : first; // Docker's legacy name for the Hub
        rest = rest.substring(slash + 1);
      }
    }
    if (registry.equals(DOCKER_HUB) && !rest.contains("/")) {
      rest = "library/" + rest;
    }
    if (!REPO.matcher(rest).matches()) {
      throw DockerException.invalid(
          "invalid reference format: repository name (%s) must be lowercase", rest);
    }
    if (tag == null && digest == null) {
      tag = "latest";
    }
    return new ImageReference(registry, rest, tag, digest);
  }

  /** The repository as Docker names it: without docker.io and library/. */
  public String familiarName() {
    if (registry.equals(DOCKER_HUB)) {
      return repository.startsWith("library/")
          ? repository.substring("library/".length())
          : repository;
    }
    return registry + "/" + repository;
  }

  /** What the registry is asked for: the digest if there is one, else the tag. */
  public String reference() {
    return digest != null ? digest : tag;
  }

  /** The familiar name with its tag ({@code busybox:latest}) or digest. */
  @Override
  public String toString() {
    return familiarName() + (digest != null ? "@" + digest : ":" + tag);
  }

  /**
   * Loopback registries speak plain http, as Docker's insecure-registry default for 127.0.0.0/8.
   */
  public String baseUrl() {
    String host = registry.equals(DOCKER_HUB) ? "registry-1.docker.io" : registry;
    String h = host.startsWith("[") ? host.substring(1, host.indexOf(']')) : host.split(":")[0];
    boolean loopback = h.equals("localhost") || h.startsWith("127.") || h.equals("::1");
    return (loopback ? "http://" : "https://") + host;
  }
}
