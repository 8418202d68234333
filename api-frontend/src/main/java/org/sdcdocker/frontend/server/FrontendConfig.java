package org.sdcdocker.frontend.server;

import java.nio.file.Path;
import java.util.List;
import org.sdcdocker.bus.Tls;

/**
 * How a front end runs: where it listens (tcp://, unix://), its data root, the datacenter name, the
 * address its blob endpoint listens at, the limits on volumes, and in a fleet the member's TLS
 * material for the byte streams between machines (null: plain, on loopback); its admin socket; and
 * the TLS of the API's tcp:// listeners, which makes clients' certificates their accounts (null:
 * clear, loopback only, every client the local account); in a fleet, the pool the accounts' fabrics
 * get their subnets from.
 */
public record FrontendConfig(
    List<String> hosts,
    Path dataRoot,
    String datacenter,
    String imageServiceHost,
    boolean allowHostBinds,
    int maxDataVolumes,
    int maxVolumesFrom,
    int maxUrlVolumes,
    Tls tls,
    Path adminSocket,
    ApiTls.Options apiTls,
    String fabricPool) {
  /** The fleet's pool of account fabrics' subnets unless told otherwise: 1,024 accounts' /22s. */
  public static final String DEFAULT_FABRIC_POOL = "10.192.0.0/12";

  public FrontendConfig {
    hosts = List.copyOf(hosts);
    fabricPool = fabricPool == null || fabricPool.isEmpty() ? DEFAULT_FABRIC_POOL : fabricPool;
  }

  /** Host binds refused, at most 8 data volumes per container: the original's defaults. */
  public FrontendConfig(
      List<String> hosts, Path dataRoot, String datacenter, String imageServiceHost) {
    this(hosts, dataRoot, datacenter, imageServiceHost, false, 8, 1, 1, null, null, null, null);
  }
}
