package org.sdcdocker.protocol.agent;

import java.util.List;

/**
 * A zone's network as it is while it runs: its namespace, the address it got on each network, and
 * the host ports really bound. Empty when it does not run.
 */
public record NetStatus(String sandbox, List<Attached> attached, List<BoundPort> ports) {
  public static final NetStatus NONE = new NetStatus("", List.of(), List.of());

  public NetStatus {
    sandbox = sandbox == null ? "" : sandbox;
    attached = attached == null ? List.of() : List.copyOf(attached);
    ports = ports == null ? List.of() : List.copyOf(ports);
  }

  /** The zone on one network: its interface, address, gateway and MAC. */
  public record Attached(
      String networkId,
      String networkName,
      String ifname,
      String ip,
      int prefixLen,
      String gateway,
      String mac) {}

  /** A published port as bound: container port/protocol to host address:port. */
  public record BoundPort(int containerPort, String protocol, String hostIp, int hostPort) {}

  /** The attachment to a network, or null. */
  public Attached on(String networkId) {
    return attached.stream().filter(a -> a.networkId().equals(networkId)).findFirst().orElse(null);
  }
}
