package org.sdcdocker.frontend.translate;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.sdcdocker.protocol.DockerException;
import org.sdcdocker.protocol.agent.VolumeRecords.MountSpec;

/**
 * A create request's volumes: HostConfig.Binds ({@code name:/path[:ro]}, {@code /host:/path}),
 * HostConfig.Mounts (volume and bind), Config.Volumes and the image's VOLUMEs (anonymous). Host
 * paths are bound only where the operator allows it; data volumes are limited in number.
 */
public final class MountsTranslator {
  /** The server's rules for mounts. */
  public record Rules(
      boolean allowHostBinds, int maxDataVolumes, int maxVolumesFrom, int maxUrlVolumes) {
    /**
     * The original's numbers: 8 data volumes, 1 --volumes-from, 1 host (URL) volume; no host paths.
     */
    public static final Rules DEFAULT = new Rules(false, 8, 1, 1);
  }

  private MountsTranslator() {}

  /**
   * {@code imageVolumes}: whether the image's VOLUMEs become anonymous volumes (not for a build's
   * file steps).
   */
  static List<MountSpec> translate(
      CreateBody body, CreateBody imageConfig, Rules rules, boolean imageVolumes) {
    CreateBody.HostConfig h = body.hostConfig();
    Map<String, MountSpec> byTarget = new LinkedHashMap<>();
    for (String b : h.binds()) {
      MountSpec m = bind(b, rules);
      byTarget.put(m.target(), m);
    }
    for (CreateBody.Mount m : h.mounts()) {
      String type = m.type();
      String target = target(m.target());
      boolean ro = m.readOnly();
      String source = m.source();
      if (type.equals("bind") && (source.startsWith("http://") || source.startsWith("https://"))) {
        byTarget.put(
            target,
            url(source + ":" + target + ":ro")); // the docker CLI takes URLs only in --mount
      } else if (type.equals("bind")) {
        byTarget.put(target, hostBind(source, target, ro, rules));
      } else if (type.equals("volume")) {
        if (m.volumeOptions() != null
            && m.volumeOptions().subpath() != null
            && !m.volumeOptions().subpath().isEmpty()) {
          // a path inside a volume whose content its containers write would need resolving inside
          // it, safely
          throw DockerException.invalid(
              "invalid mount config: volume subpaths are not available on this server");
        }
        byTarget.put(
            target,
            source.isEmpty()
                ? anonymous(target)
                : new MountSpec("volume", source, target, ro, false));
      } else if (!type.equals("tmpfs")) {
        throw DockerException.invalid("mount type unknown: %s", type);
      }
    }
    List<String> anonymousTargets = new ArrayList<>();
    if (imageVolumes) {
      anonymousTargets.addAll(imageConfig.volumes().keySet());
    }
    anonymousTargets.addAll(body.volumes().keySet());
    // as Docker's: a tmpfs (--tmpfs or --mount type=tmpfs) at a VOLUME path takes its place
    Set<String> tmpfs = new HashSet<>();
    h.tmpfs().keySet().forEach(t -> tmpfs.add(target(t)));
    for (CreateBody.Mount m : h.mounts()) {
      if (m.type().equals("tmpfs")) {
        tmpfs.add(target(m.target()));
      }
    }
    for (String t : anonymousTargets) {
      if (!tmpfs.contains(target(t))) {
        byTarget.putIfAbsent(target(t), anonymous(target(t)));
      }
    }
    if (byTarget.values().stream().filter(m -> m.type().equals("url")).count()
        > rules.maxUrlVolumes()) {
      throw DockerException.invalid(
          "too many host volumes: a container may have at most %d URL volume(s) "
              + "(the server's --max-url-volumes)",
          rules.maxUrlVolumes());
    }
    if (h.volumesFrom().size() > rules.maxVolumesFrom()) {
      throw DockerException.invalid(
          "too many --volumes-from: a container may take volumes from at most %d "
              + "container(s) (the server's --max-volumes-from)",
          rules.maxVolumesFrom());
    }
    long data = byTarget.values().stream().filter(m -> m.type().equals("volume")).count();
    if (data > rules.maxDataVolumes()) {
      throw DockerException.invalid(
          "too many volumes: a container may have at most %d data volumes "
              + "(the server's --max-data-volumes)",
          rules.maxDataVolumes());
    }
    return new ArrayList<>(byTarget.values());
  }

  private static MountSpec bind(String spec, Rules rules) {
    if (spec.startsWith("http://") || spec.startsWith("https://")) {
      return url(spec);
    }
    String[] f = spec.split(":");
    if (f.length < 2 || f.length > 3) {
      throw DockerException.invalid("invalid volume specification: '%s'", spec);
    }
    boolean ro = false;
    String propagation = null;
    if (f.length == 3) {
      for (String o : f[2].split(",")) {
        if (o.equals("ro")) {
          ro = true;
        } else if (Set.of("rshared", "shared", "rslave", "slave", "rprivate", "private").contains(o)
            && propagation == null
            && f[0].startsWith("/")) {
          propagation = o;
        } else if (!o.equals("rw") && !o.equals("z") && !o.equals("Z")) {
          throw DockerException.invalid("invalid mode: %s", f[2]);
        }
      }
    }
    String target = target(f[1]);
    if (f[0].startsWith("/")) {
      return hostBind(f[0], target, ro, rules).withPropagation(propagation);
    }
    return new MountSpec("volume", f[0], target, ro, false);
  }

  /**
   * {@code https://host/file:/path[:ro]}: a single file, fetched at create, read-only, as the
   * original's host volumes.
   */
  private static MountSpec url(String spec) {
    int sep = spec.indexOf(":/", spec.indexOf("://") + 3);
    if (sep < 0) {
      throw DockerException.invalid("invalid volume specification: '%s'", spec);
    }
    String rest = spec.substring(sep + 1);
    String target = rest.contains(":") ? rest.substring(0, rest.indexOf(':')) : rest;
    String mode = rest.contains(":") ? rest.substring(rest.indexOf(':') + 1) : "ro";
    if (!mode.equals("ro")) {
      throw DockerException.invalid(
          "host volumes are read-only: '%s' cannot be mounted %s", spec, mode);
    }
    return new MountSpec("url", spec.substring(0, sep), target(target), true, false);
  }

  private static MountSpec hostBind(String source, String target, boolean ro, Rules rules) {
    if (!rules.allowHostBinds()) {
      throw DockerException.invalid(
          "host paths cannot be bound into containers on this server (%s): volumes, or a "
              + "server started with --allow-host-binds, give containers their data",
          source);
    }
    if (!source.startsWith("/")) {
      throw DockerException.invalid(
          "invalid mount config: the source of a bind mount must be an absolute path");
    }
    if (!Files.exists(Path.of(source))) {
      throw DockerException.invalid(
          "invalid mount config for type \"bind\": bind source path does not exist: %s", source);
    }
    return new MountSpec("bind", source, target, ro, false);
  }

  private static String target(String t) {
    if (!t.startsWith("/") || t.equals("/")) {
      throw DockerException.invalid(
          "invalid mount config: the mount point must be an absolute path other than /: '%s'", t);
    }
    return t.endsWith("/") ? t.substring(0, t.length() - 1) : t;
  }

  private static MountSpec anonymous(String target) {
    byte[] b = new byte[32];
    new SecureRandom().nextBytes(b);
    return new MountSpec("volume", HexFormat.of().formatHex(b), target, false, true);
  }
}
