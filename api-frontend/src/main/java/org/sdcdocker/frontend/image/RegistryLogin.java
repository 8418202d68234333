package org.sdcdocker.frontend.image;

import java.net.http.HttpClient;
import org.sdcdocker.protocol.DockerException;

/** docker login ({@code POST /auth}): the credentials checked against the registry itself. */
public final class RegistryLogin {
  private RegistryLogin() {}

  /**
   * Checks the credentials for a server address (host[:port], with or without scheme and path).
   * Blocking.
   */
  public static void check(HttpClient http, String serverAddress, RegistryAuth auth) {
    String host = serverAddress == null ? "" : serverAddress.trim();
    host = host.replaceFirst("^[a-zA-Z]+://", "");
    int slash = host.indexOf('/');
    if (slash >= 0) {
      host = host.substring(0, slash);
    }
    if (host.isEmpty()) {
      throw DockerException.invalid("no registry given to log in to");
    }
    ImageReference ref = ImageReference.parse(host + "/login/check");
    new RegistrySession(http, ref, auth).login();
  }
}
