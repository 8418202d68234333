package org.sdcdocker.protocol.agent;

/** A zone as an agent reports it: its spec, its state, and the compute node it lives on. */
public record ZoneRecord(String cnUuid, ContainerSpec spec, ZoneState state) {
  public ZoneRecord withState(ZoneState s) {
    return new ZoneRecord(cnUuid, spec, s);
  }
}
