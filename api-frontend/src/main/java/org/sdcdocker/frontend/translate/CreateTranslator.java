package org.sdcdocker.frontend.translate;

import com.fasterxml.jackson.databind.JsonNode;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sdcdocker.frontend.image.ImageRecord;
import org.sdcdocker.frontend.image.ImageReference;
import org.sdcdocker.frontend.image.ImageStore;
import org.sdcdocker.frontend.image.Platform;
import org.sdcdocker.frontend.image.PullTask;
import org.sdcdocker.protocol.DockerException;
import org.sdcdocker.protocol.agent.ContainerSpec;
import org.sdcdocker.protocol.agent.RestartPolicy;

/**
 * Docker's create request → the engine-neutral ContainerSpec, with the image's defaults merged in
 * as Docker merges them (env by name, Cmd dropped when Entrypoint is given).
 */
public final class CreateTranslator {
  private static final SecureRandom RANDOM = new SecureRandom();
  private final ImageStore images;
  private final MountsTranslator.Rules rules;

  public CreateTranslator(ImageStore images) {
    this(images, MountsTranslator.Rules.DEFAULT);
  }

  public CreateTranslator(ImageStore images, MountsTranslator.Rules rules) {
    this.images = images;
    this.rules = rules;
  }

  /**
   * Translates a create body for an account (the name, validated, or null for a drawn one); the
   * image must be of {@code platform} when it is not null. Blocking: it reads the image's config.
   */
  public Creation creation(
      String account, JsonNode body, String name, boolean imageVolumes, Platform platform) {
    ContainerSpec spec = translate(account, body, name, imageVolumes, platform);
    List<String> from = strings(body.path("HostConfig").get("VolumesFrom"));
    if (from.size() > 1) {
      throw DockerException.invalid(
          "only one container's volumes can be shared into a container here");
    }
    Creation.VolumesFrom shared = null;
    if (!from.isEmpty()) {
      String[] f = from.get(0).split(":");
      shared = new Creation.VolumesFrom(f[0], f.length > 1 && f[1].equals("ro"));
    }
    return new Creation(spec, name != null, shared);
  }

  /** Translates a create body for an account; the name is already validated. */
  public ContainerSpec translate(String account, JsonNode body, String name) {
    return translate(account, body, name, true);
  }

  /**
   * The same; without {@code imageVolumes} the image's VOLUMEs are not mounted (a build's COPY, ADD
   * and WORKDIR write the image's own files there, as Docker's classic builder).
   */
  public ContainerSpec translate(String account, JsonNode body, String name, boolean imageVolumes) {
    return translate(account, body, name, imageVolumes, null);
  }

  /** The same, for an image of the {@code platform} the client asked for (when not null). */
  public ContainerSpec translate(
      String account, JsonNode body, String name, boolean imageVolumes, Platform platform) {
    String imageName = body.path("Image").asText("");
    if (imageName.isEmpty()) {
      throw DockerException.invalid("config cannot be empty in order to create a container");
    }
    ImageRecord image =
        images
            .find(account, imageName)
            .orElseThrow(
                () -> DockerException.notFound("No such image: %s", normalized(imageName)));
    JsonNode config = images.config(image);
    if (platform != null) {
      var actual = Platform.ofConfig(config);
      if (!platform.accepts(actual)) {
        throw PullTask.mismatch(imageName, platform, actual);
      }
    }
    JsonNode ic = config.path("config");
    List<String> entrypoint = strings(body.get("Entrypoint"));
    List<String> cmd = strings(body.get("Cmd"));
    boolean entrypointGiven = body.hasNonNull("Entrypoint");
    if (!entrypointGiven) {
      entrypoint = strings(ic.get("Entrypoint"));
      if (cmd.isEmpty()) {
        cmd = strings(ic.get("Cmd"));
      }
    }
    if (entrypoint.isEmpty() && cmd.isEmpty()) {
      throw DockerException.invalid("no command specified");
    }
    String id = newId();
    Map<String, String> labels = new LinkedHashMap<>();
    ic.path("Labels").fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
    body.path("Labels")
        .fields()
        .forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
    String hostname = body.path("Hostname").asText("");
    Map<String, String> fe = new LinkedHashMap<>();
    for (String k : List.of("AttachStdin", "AttachStdout", "AttachStderr")) {
      fe.put(k, Boolean.toString(body.path(k).asBoolean(false)));
    }
    if (body.path("HostConfig").isObject()) {
      fe.put("HostConfig", body.get("HostConfig").toString()); // inspect gives it back as sent
    }
    return new ContainerSpec(
        id,
        name != null ? name : Names.random(),
        account,
        imageName,
        image.id(),
        image.layers(),
        entrypoint,
        cmd,
        mergeEnv(strings(ic.get("Env")), validEnv(strings(body.get("Env")))),
        firstNonEmpty(body.path("WorkingDir").asText(""), ic.path("WorkingDir").asText("")),
        firstNonEmpty(body.path("User").asText(""), ic.path("User").asText("")),
        hostname.isEmpty() ? id.substring(0, 12) : hostname,
        body.path("Domainname").asText(""),
        labels,
        body.path("Tty").asBoolean(false),
        body.path("OpenStdin").asBoolean(false),
        body.path("StdinOnce").asBoolean(false),
        body.path("HostConfig").path("AutoRemove").asBoolean(false),
        restartPolicy(body.path("HostConfig")),
        HostOptionsTranslator.translate(body, ic),
        Instant.now().toString(),
        fe,
        MountsTranslator.translate(body, ic, rules, imageVolumes),
        NetworkTranslator.translate(body, ic));
  }

  /** HostConfig.RestartPolicy, checked as Docker checks it. */
  public static RestartPolicy restartPolicy(JsonNode hostConfig) {
    JsonNode p = hostConfig.path("RestartPolicy");
    String name = p.path("Name").asText("");
    int max = p.path("MaximumRetryCount").asInt(0);
    switch (name) {
      case "", "no", "always", "unless-stopped", "on-failure" -> {}
      default ->
          throw DockerException.invalid(
              "invalid restart policy: unknown policy '%s'; use one of 'no', "
                  + "'always', 'on-failure', or 'unless-stopped'",
              name);
    }
    if (max < 0) {
      throw DockerException.invalid(
          "invalid restart policy: maximum retry count cannot be negative");
    }
    if (max > 0 && !name.equals("on-failure")) {
      throw DockerException.invalid(
          "invalid restart policy: maximum retry count can only be used with 'on-failure'");
    }
    RestartPolicy policy = new RestartPolicy(name, max);
    if (!policy.name().equals("no") && hostConfig.path("AutoRemove").asBoolean(false)) {
      throw DockerException.invalid("conflicting options: cannot specify both --restart and --rm");
    }
    return policy;
  }

  private static String normalized(String name) {
    try {
      return ImageReference.parse(name).toString();
    } catch (DockerException e) {
      return name;
    }
  }

  /** Image env, then the request's: a name given again replaces the earlier value in place. */
  static List<String> mergeEnv(List<String> image, List<String> request) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String e : image) {
      out.put(e.split("=", 2)[0], e);
    }
    for (String e : request) {
      out.put(e.split("=", 2)[0], e);
    }
    return new ArrayList<>(out.values());
  }

  /** A JSON array of strings (or one string, as old clients send) as a list; null is empty. */
  public static List<String> strings(JsonNode n) {
    List<String> out = new ArrayList<>();
    if (n == null || n.isNull()) {
      return out;
    }
    if (n.isTextual()) {
      out.add(n.asText()); // a bare string, as old clients send
      return out;
    }
    n.forEach(x -> out.add(x.asText()));
    return out;
  }

  private static String firstNonEmpty(String a, String b) {
    return a.isEmpty() ? b : a;
  }

  static String newId() {
    byte[] b = new byte[32];
    RANDOM.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  /** As Docker's: every entry names its variable ({@code =x} and {@code ""} do not). */
  static List<String> validEnv(List<String> env) {
    for (String e : env) {
      if (e.isEmpty() || e.startsWith("=")) {
        throw DockerException.invalid("invalid environment variable: %s", e);
      }
    }
    return env;
  }
}
