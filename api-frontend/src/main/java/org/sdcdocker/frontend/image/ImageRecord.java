package org.sdcdocker.frontend.image;

import java.util.List;
import org.sdcdocker.protocol.agent.LayerRef;

/**
 * A stored image: its id (the config digest), its layers, the repo digests it was pulled by, and
 * the image it was made from here (commit, build; null for pulled and loaded ones). The config
 * itself is a blob in the blob store.
 */
public record ImageRecord(
    String id,
    List<LayerRef> layers,
    List<String> repoDigests,
    long size,
    String created,
    String parent) {
  public ImageRecord {
    layers = List.copyOf(layers);
    repoDigests = repoDigests == null ? List.of() : List.copyOf(repoDigests);
  }

  public ImageRecord(
      String id, List<LayerRef> layers, List<String> repoDigests, long size, String created) {
    this(id, layers, repoDigests, size, created, null);
  }
}
