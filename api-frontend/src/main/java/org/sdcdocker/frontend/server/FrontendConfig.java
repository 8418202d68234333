package org.sdcdocker.frontend.server;

import java.nio.file.Path;
import java.util.List;

/** How a front end runs: where it listens (tcp://, unix://), its data root, the datacenter name. */
public record FrontendConfig(
    List<String> hosts,
    Path dataRoot,
    String datacenter,
    String imageServiceHost,
    boolean allowHostBinds,
    int maxDataVolumes,
    int maxVolumesFrom,
    int maxUrlVolumes) {
  public FrontendConfig {
    hosts = List.copyOf(hosts);
  }

  /** Host binds refused, at most 8 data volumes per container: the original's defaults. */
  public FrontendConfig(
      List<String> hosts, Path dataRoot, String datacenter, String imageServiceHost) {
    this(hosts, dataRoot, datacenter, imageServiceHost, false, 8, 1, 1);
  }
}
