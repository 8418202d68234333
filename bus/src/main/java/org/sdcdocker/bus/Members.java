package org.sdcdocker.bus;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.core.spi.cluster.NodeInfo;

/**
 * What each member of a fleet said of itself when it joined: the metadata of its Vert.x node
 * ({@code role}: "frontend" or "agent"; {@code node}: an agent's compute-node UUID; {@code
 * address}), as the launcher's ClusterOptions sets it.
 */
public final class Members {
  private Members() {}

  /** The member's metadata; null when it has none (not joined fully yet) or left. Never fails. */
  public static Future<JsonObject> metadata(ClusterManager cm, String node) {
    Promise<NodeInfo> p = Promise.promise();
    cm.getNodeInfo(node, p);
    return p.future()
        .map(info -> info == null ? null : info.metadata())
        .otherwise((JsonObject) null);
  }

  /** The member's role, or "unknown" when it has none (yet) or left. Never fails. */
  public static Future<String> role(ClusterManager cm, String node) {
    return metadata(cm, node)
        .map(meta -> meta == null ? "unknown" : meta.getString("role", "unknown"));
  }
}
