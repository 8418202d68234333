package org.sdcdocker.protocol.agent;

/**
 * One verb of the agents' protocol: its name, the record that asks it and the record that answers
 * it. A node serves all its verbs at one address, {@code cn.<uuid>.verbs}; the request's record
 * says which verb it is.
 */
public record Verb<Q extends AgentRequest<R>, R extends Record>(
    String name, Class<Q> request, Class<R> reply) {
  /** The last part of a node's address for its verbs. */
  public static final String NODE_ADDRESS = "verbs";

  /** Where a node takes its verbs: one address for all of them. */
  public String address(String cnUuid) {
    return Addresses.cn(cnUuid, NODE_ADDRESS);
  }
}
