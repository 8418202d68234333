package org.sdcdocker.agent.server;

import java.nio.file.Path;
import java.util.List;
import org.sdcdocker.bus.Tls;

/**
 * How an agent runs: its data root, the programs it drives, the dockerinit it installs, the host
 * its data-plane server listens on, and the file whose content changes when the compute node
 * reboots (the kernel's boot id; a test points it elsewhere to simulate a reboot), and in a fleet
 * the member's TLS material for its data plane and its layer fetches (null: plain, on loopback);
 * the prefixes the operator allows URL volumes from beyond public addresses ({@link
 * org.sdcdocker.agent.zone.UrlPolicy}).
 */
public record AgentConfig(
    Path dataRoot,
    String runtime,
    String conmon,
    Path dockerinit,
    String streamHost,
    Path bootIdFile,
    String networkPool,
    Tls tls,
    List<String> urlVolumeAllow) {
  /** Where the networks' subnets come from unless told otherwise: one /24 each. */
  public static final String DEFAULT_POOL = "10.210.0.0/16";

  public AgentConfig {
    networkPool = networkPool == null || networkPool.isEmpty() ? DEFAULT_POOL : networkPool;
    urlVolumeAllow = urlVolumeAllow == null ? List.of() : List.copyOf(urlVolumeAllow);
  }

  public AgentConfig(
      Path dataRoot,
      String runtime,
      String conmon,
      Path dockerinit,
      String streamHost,
      Path bootIdFile) {
    this(dataRoot, runtime, conmon, dockerinit, streamHost, bootIdFile, null, null, null);
  }

  /** The kernel's boot id. */
  public static final Path KERNEL_BOOT_ID = Path.of("/proc/sys/kernel/random/boot_id");

  public AgentConfig(
      Path dataRoot, String runtime, String conmon, Path dockerinit, String streamHost) {
    this(dataRoot, runtime, conmon, dockerinit, streamHost, KERNEL_BOOT_ID, null, null, null);
  }
}
