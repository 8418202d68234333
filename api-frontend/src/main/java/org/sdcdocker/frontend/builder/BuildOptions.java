package org.sdcdocker.frontend.builder;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;

/**
 * What {@code POST /build} asks for: the Dockerfile's name in the context, tags, build args and
 * labels, the stage to stop at, cache and container clean-up choices, the network of RUN steps, the
 * HostConfig of every step's container (its limits and extra hosts), and the images whose chains
 * alone are the cache when {@code cache_from} names any.
 */
public record BuildOptions(
    String dockerfile,
    List<String> tags,
    Map<String, String> buildArgs,
    Map<String, String> labels,
    String target,
    boolean noCache,
    boolean remove,
    boolean forceRemove,
    boolean quiet,
    String networkMode,
    boolean pull,
    ObjectNode stepHost,
    List<String> cacheFrom) {
  public BuildOptions {
    cacheFrom = cacheFrom == null ? List.of() : List.copyOf(cacheFrom);
  }
}
