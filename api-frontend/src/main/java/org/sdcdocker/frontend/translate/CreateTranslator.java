package org.sdcdocker.frontend.translate;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sdcdocker.frontend.account.PackageStore;
import org.sdcdocker.frontend.account.ResourcePackage;
import org.sdcdocker.frontend.image.ImageRecord;
import org.sdcdocker.frontend.image.ImageReference;
import org.sdcdocker.frontend.image.ImageStore;
import org.sdcdocker.frontend.image.Platform;
import org.sdcdocker.frontend.image.PullTask;
import org.sdcdocker.protocol.ContainerId;
import org.sdcdocker.protocol.DockerException;
import org.sdcdocker.protocol.agent.ContainerSpec;
import org.sdcdocker.protocol.agent.RestartPolicy;

/**
 * Docker's create request → the engine-neutral ContainerSpec, with the image's defaults merged in
 * as Docker merges them (env by name, Cmd dropped when Entrypoint is given).
 */
public final class CreateTranslator {
  private final ImageStore images;
  private final MountsTranslator.Rules rules;
  private final PackageStore packages;

  /** What a container asks for when it asks for no memory, in MiB, as the original's default. */
  public static final long DEFAULT_MEMORY_MIB = 1024;

  public CreateTranslator(ImageStore images) {
    this(images, MountsTranslator.Rules.DEFAULT, null);
  }

  /** A translator; with {@code packages} (may be null), a defined package is every container's. */
  public CreateTranslator(ImageStore images, MountsTranslator.Rules rules, PackageStore packages) {
    this.images = images;
    this.rules = rules;
    this.packages = packages;
  }

  /**
   * The spec with its package's limits and name, when packages are defined: the one its label
   * names, or the smallest that holds its memory.
   */
  private ContainerSpec packaged(ContainerSpec spec, CreateBody body) {
    ResourcePackage p =
        packages == null
            ? null
            : packages.choose(body.labels(), body.hostConfig().memory(), DEFAULT_MEMORY_MIB);
    if (p == null) {
      return spec;
    }
    return spec.withHost(
            spec.host()
                .withPackage(p.memoryBytes(), p.swapBytes(), p.cpuShares(), p.nanoCpus(), p.pids()),
            spec.restartPolicy())
        .withLabel(ResourcePackage.LABEL, p.name());
  }

  /**
   * Refuses an update of a packaged container's resources: they are its package's (its restart
   * policy may change).
   */
  public void checkUpdate(ContainerSpec spec, boolean changesResources) {
    String p = spec.labels().get(ResourcePackage.LABEL);
    if (changesResources && p != null && packages != null && packages.defined()) {
      throw DockerException.invalid(
          "the resources of a container come from its package (%s): choose another package by"
              + " making the container anew; only its restart policy can be updated",
          p);
    }
  }

  /**
   * Translates a create body for an account (the name, validated, or null for a drawn one); the
   * image must be of {@code platform} when it is not null. Blocking: it reads the image's config.
   */
  public Creation creation(
      String account,
      CreateBody body,
      SentConfig sent,
      String name,
      boolean imageVolumes,
      Platform platform) {
    ContainerSpec spec = packaged(translate(account, body, name, imageVolumes, platform), body);
    List<String> from = body.hostConfig().volumesFrom();
    if (from.size() > 1) {
      throw DockerException.invalid(
          "only one container's volumes can be shared into a container here");
    }
    Creation.VolumesFrom shared = null;
    if (!from.isEmpty()) {
      String[] f = from.get(0).split(":");
      shared = new Creation.VolumesFrom(f[0], f.length > 1 && f[1].equals("ro"));
    }
    return new Creation(spec, name != null, shared, sent);
  }

  /**
   * Translates a create body for an account; the name is already validated. Without {@code
   * imageVolumes} the image's VOLUMEs are not mounted (a build's COPY, ADD and WORKDIR write the
   * image's own files there, as Docker's classic builder); the image must be of {@code platform}
   * when it is not null.
   */
  private ContainerSpec translate(
      String account, CreateBody body, String name, boolean imageVolumes, Platform platform) {
    String imageName = body.image();
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
    CreateBody ic = CreateBody.ofImage(config.path("config"));
    List<String> entrypoint = body.entrypoint();
    List<String> cmd = body.cmd();
    if (entrypoint == null) {
      entrypoint = ic.entrypoint() == null ? List.of() : ic.entrypoint();
      if (cmd.isEmpty()) {
        cmd = ic.cmd();
      }
    }
    if (entrypoint.isEmpty() && cmd.isEmpty()) {
      throw DockerException.invalid("no command specified");
    }
    String id = ContainerId.random().value();
    Map<String, String> labels = new LinkedHashMap<>(ic.labels());
    labels.putAll(body.labels());
    // affinities, as Swarm's: taken out of the env into the label that carries them all
    Affinity.Split split = Affinity.fromEnv(body.env());
    if (!split.affinities().isEmpty() || labels.containsKey(Affinity.LABEL)) {
      labels.put(Affinity.LABEL, Affinity.label(labels, split.affinities()));
    }
    String hostname = body.hostname();
    return new ContainerSpec(
        id,
        name != null ? name : Names.random(),
        account,
        imageName,
        image.id(),
        image.layers(),
        entrypoint,
        cmd,
        mergeEnv(ic.env(), validEnv(split.env())),
        firstNonEmpty(body.workingDir(), ic.workingDir()),
        firstNonEmpty(body.user(), ic.user()),
        hostname.isEmpty() ? ContainerId.shortOf(id) : hostname,
        body.domainname(),
        labels,
        body.tty(),
        body.openStdin(),
        body.stdinOnce(),
        body.hostConfig().autoRemove(),
        restartPolicy(body.hostConfig().restartPolicy(), body.hostConfig().autoRemove()),
        HostOptionsTranslator.translate(body, ic),
        Instant.now().toString(),
        MountsTranslator.translate(body, ic, rules, imageVolumes),
        NetworkTranslator.translate(body, ic));
  }

  /** HostConfig.RestartPolicy, checked as Docker checks it (with the container's --rm). */
  public static RestartPolicy restartPolicy(CreateBody.RestartPolicy p, boolean autoRemove) {
    String name = p.name();
    int max = p.maximumRetryCount();
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
    if (!policy.name().equals("no") && autoRemove) {
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

  private static String firstNonEmpty(String a, String b) {
    return a.isEmpty() ? b : a;
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
