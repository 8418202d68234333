package org.sdcdocker.frontend.image;

import java.util.List;
import org.sdcdocker.protocol.agent.LayerRef;

/**
 * A stored image: its id (the config digest), its layers, and the repo digests it was pulled
 * by. The config itself is a blob in the blob store.
 */
public record ImageRecord(String id, List<LayerRef> layers, List<String> repoDigests, long size, String created) {
  public ImageRecord {
    layers = List.copyOf(layers);
    repoDigests = repoDigests == null ? List.of() : List.copyOf(repoDigests);
  }
}
