package org.sdcdocker.bus;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.core.spi.cluster.NodeInfo;
import java.util.Collection;
import java.util.HashSet;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

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

  /**
   * Each member's role, asked once per member (a role never changes). A member that has not joined
   * fully yet, or left, is "unknown" and asked again the next time.
   */
  public static final class Roles {
    private final ClusterManager cm;
    private final Map<String, Future<String>> known = new ConcurrentHashMap<>();

    public Roles(ClusterManager cm) {
      this.cm = cm;
    }

    /**
     * The member's role; every call for one member before its answer gets the same future, so that
     * what is chained on it runs in the order it was chained.
     */
    public Future<String> of(String node) {
      Future<String> f = known.computeIfAbsent(node, n -> role(cm, n));
      f.onSuccess(
          r -> {
            if (r.equals("unknown")) {
              known.remove(node, f);
            }
          });
      return f;
    }

    /** Forgets the members that are no longer in the cluster (its members now: {@code nodes}). */
    public void retain(Collection<String> nodes) {
      if (known.size() > nodes.size()) {
        known.keySet().retainAll(new HashSet<>(nodes));
      }
    }
  }

  /** The member's role, or "unknown" when it has none (yet) or left. Never fails. */
  public static Future<String> role(ClusterManager cm, String node) {
    return metadata(cm, node)
        .map(meta -> meta == null ? "unknown" : meta.getString("role", "unknown"));
  }
}
