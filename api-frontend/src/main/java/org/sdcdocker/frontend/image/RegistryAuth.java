package org.sdcdocker.frontend.image;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.sdcdocker.protocol.Json;

/** The credentials a client sends in {@code X-Registry-Auth} (base64url JSON). */
public record RegistryAuth(
    @JsonProperty("username") String username,
    @JsonProperty("password") String password,
    @JsonProperty("identitytoken") String identityToken,
    @JsonProperty("registrytoken") String registryToken) {

  public static final RegistryAuth NONE = new RegistryAuth(null, null, null, null);

  /** Decodes the header; absent or empty means anonymous. */
  public static RegistryAuth fromHeader(String header) {
    if (header == null || header.isBlank()) {
      return NONE;
    }
    try {
      byte[] json =
          Base64.getUrlDecoder()
              .decode(header.trim().replace('+', '-').replace('/', '_').replace("=", ""));
      if (json.length == 0 || new String(json, StandardCharsets.UTF_8).equals("{}")) {
        return NONE;
      }
      return Json.decode(json, RegistryAuth.class);
    } catch (IllegalArgumentException e) {
      return NONE; // Docker ignores an undecodable header, as here
    }
  }

  public boolean hasBasic() {
    return username != null && !username.isEmpty();
  }

  /** The value of a Basic Authorization header. */
  public String basic() {
    return "Basic "
        + Base64.getEncoder()
            .encodeToString(
                (username + ":" + (password == null ? "" : password))
                    .getBytes(StandardCharsets.UTF_8));
  }
}
