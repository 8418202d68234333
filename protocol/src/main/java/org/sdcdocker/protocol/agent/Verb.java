package org.sdcdocker.protocol.agent;

/**
 * One verb of the agents' protocol: its name (the last part of its address {@code
 * cn.<uuid>.<name>}), the record that asks it and the record that answers it.
 */
public record Verb<Q extends AgentRequest<R>, R extends Record>(
    String name, Class<Q> request, Class<R> reply) {
  /** The verb's address on one compute node. */
  public String address(String cnUuid) {
    return Addresses.cn(cnUuid, name);
  }
}
