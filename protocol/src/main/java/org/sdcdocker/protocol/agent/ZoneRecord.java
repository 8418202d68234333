package org.sdcdocker.protocol.agent;

/**
 * A zone as an agent reports it: its spec, its state, the compute node it lives on, its network
 * while it runs, and a version that grows with every change, so a reader can tell an older report
 * from a newer one.
 */
public record ZoneRecord(
    String cnUuid, ContainerSpec spec, ZoneState state, long version, NetStatus net) {
  public ZoneRecord {
    net = net == null ? NetStatus.NONE : net;
  }

  public ZoneRecord(String cnUuid, ContainerSpec spec, ZoneState state) {
    this(cnUuid, spec, state, 0, null);
  }

  public ZoneRecord withState(ZoneState s) {
    return new ZoneRecord(cnUuid, spec, s, version + 1, net);
  }

  public ZoneRecord withSpec(ContainerSpec s) {
    return new ZoneRecord(cnUuid, s, state, version + 1, net);
  }

  public ZoneRecord withNet(NetStatus n) {
    return new ZoneRecord(cnUuid, spec, state, version + 1, n);
  }
}
