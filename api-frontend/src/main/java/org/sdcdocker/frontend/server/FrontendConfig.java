package org.sdcdocker.frontend.server;

import java.nio.file.Path;
import java.util.List;

/** How a front end runs: where it listens (tcp://, unix://), its data root, the datacenter name. */
public record FrontendConfig(List<String> hosts, Path dataRoot, String datacenter, String imageServiceHost) {
  public FrontendConfig {
    hosts = List.copyOf(hosts);
  }
}
