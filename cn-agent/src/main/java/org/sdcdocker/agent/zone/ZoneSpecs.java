package org.sdcdocker.agent.zone;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.sdcdocker.agent.runtime.HostSpecOpts;
import org.sdcdocker.agent.runtime.SpecFactory;
import org.sdcdocker.protocol.DockerException;
import org.sdcdocker.protocol.agent.ContainerSpec;

/**
 * A zone's OCI spec: dockerinit as the first process, /native and the zone's files, its host
 * options. It is composed dry at create, to refuse there what could not start, and written at each
 * start: {@code docker update} may have changed the host options since, and each run has its own
 * network namespace.
 */
public final class ZoneSpecs {
  /** dockerinit, where every zone sees it. */
  public static final String DOCKERINIT = "/native/usr/vm/sbin/dockerinit";

  private ZoneSpecs() {}

  /** Refuses at create what could not start: the spec is composed once, dry. */
  static void check(ContainerSpec spec, ZonePaths p, Path nativeDir, VolumeStore volumes) {
    int cpus = Runtime.getRuntime().availableProcessors();
    if (spec.host().nanoCpus() > cpus * 1_000_000_000L) {
      throw DockerException.invalid(
          "Range of CPUs is from 0.01 to %d.00, as there are only %d CPUs available", cpus, cpus);
    }
    HostSpecOpts.check(spec.host().sysctls());
    SpecFactory.build(opts(spec, p, nativeDir, volumes));
  }

  /** The spec options of a zone: the base ones, then its host options. */
  static List<SpecFactory.SpecOpt> opts(
      ContainerSpec spec, ZonePaths p, Path nativeDir, VolumeStore volumes) {
    List<SpecFactory.SpecOpt> opts = new ArrayList<>(baseOpts(spec, p, nativeDir));
    for (var m : spec.mounts()) {
      String source =
          switch (m.type()) {
            case "volume" -> volumes.dataOf(spec.owner(), m.source()).toString();
            case "url" -> UrlVolumes.fileOf(p, m).toString();
            default -> m.source();
          };
      opts.add(SpecFactory.withBind(source, m.target(), m.readOnly(), m.propagation()));
    }
    opts.addAll(HostSpecOpts.of(spec.host(), p.dir().resolve("dockerinit.log")));
    return opts;
  }

  private static List<SpecFactory.SpecOpt> baseOpts(
      ContainerSpec spec, ZonePaths p, Path nativeDir) {
    return List.of(
        SpecFactory.withArgs(List.of(DOCKERINIT)),
        SpecFactory.withTerminal(spec.tty()),
        SpecFactory.withHostname(spec.hostname()),
        SpecFactory.withBind(nativeDir.toString(), "/native", true),
        SpecFactory.withBind(p.zonecontrol().toString(), "/native/.zonecontrol", true),
        SpecFactory.withBind(p.dir().resolve("hostname").toString(), "/etc/hostname", false),
        SpecFactory.withBind(p.dir().resolve("hosts").toString(), "/etc/hosts", false),
        SpecFactory.withBind(p.dir().resolve("resolv.conf").toString(), "/etc/resolv.conf", false),
        SpecFactory.withCgroupsPath(cgroupPath(spec.id())));
  }

  /** The zone's cgroup, in every hierarchy. */
  public static String cgroupPath(String zoneId) {
    return "/sdc-docker/" + zoneId;
  }
}
