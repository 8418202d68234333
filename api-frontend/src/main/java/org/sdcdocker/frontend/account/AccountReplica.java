package org.sdcdocker.frontend.account;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.AsyncMap;
import java.util.ArrayList;
import java.util.List;
import org.sdcdocker.protocol.Json;
import org.sdcdocker.protocol.agent.Addresses;

/**
 * The accounts of a fleet, the same on every front end: each version an operator makes through one
 * front end goes into the cluster's map {@code sdc.accounts} (with Hazelcast's backups) and its
 * login is published on {@code frontend.accounts}; every front end then takes the map's version
 * when it is newer than its own and keeps it on its disk. A starting front end puts what it holds
 * where the map has older or nothing (after a whole-fleet restart the map is empty), then takes the
 * map's newer versions. Removals are versions too (tombstones), so a front end that was away brings
 * no removed account back. In the embedded default nothing of this runs.
 */
public final class AccountReplica {
  private static final String MAP = "sdc.accounts";

  private final Vertx vertx;
  private final AccountStore accounts;

  public AccountReplica(Vertx vertx, AccountStore accounts) {
    this.vertx = vertx;
    this.accounts = accounts;
  }

  /** Starts following the other front ends; completes once this one is in step with the map. */
  public Future<Void> start() {
    if (!vertx.isClustered()) {
      return Future.succeededFuture();
    }
    accounts.onOwnChange(a -> share(a));
    vertx
        .eventBus()
        .<String>consumer(
            Addresses.FRONTEND_ACCOUNTS,
            m -> map().compose(mp -> mp.get(m.body())).onSuccess(this::take));
    return map()
        .compose(
            m -> {
              List<Future<?>> puts = new ArrayList<>();
              for (Account mine : accounts.versions()) {
                puts.add(
                    m.get(mine.login())
                        .compose(
                            theirs -> {
                              Account t = decode(theirs);
                              return t != null && t.updated() >= mine.updated()
                                  ? Future.succeededFuture()
                                  : m.put(mine.login(), encode(mine));
                            }));
              }
              return Future.join(puts).transform(ar -> m.entries());
            })
        .compose(all -> Future.join(all.values().stream().map(this::take).toList()))
        .<Void>mapEmpty()
        .otherwise(e -> null);
  }

  /** Puts a version into the map, then tells the other front ends. */
  private Future<Void> share(Account a) {
    return map()
        .compose(m -> m.put(a.login(), encode(a)))
        .onSuccess(v -> vertx.eventBus().publish(Addresses.FRONTEND_ACCOUNTS, a.login()))
        .otherwise(e -> null);
  }

  private Future<Boolean> take(String json) {
    Account a = decode(json);
    return a == null
        ? Future.succeededFuture(false)
        : vertx.executeBlocking(() -> accounts.apply(a));
  }

  private static String encode(Account a) {
    return new String(Json.bytes(a), UTF_8);
  }

  private static Account decode(String json) {
    try {
      return json == null ? null : Json.decode(json.getBytes(UTF_8), Account.class);
    } catch (RuntimeException unreadable) {
      return null;
    }
  }

  private Future<AsyncMap<String, String>> map() {
    return vertx.sharedData().getAsyncMap(MAP);
  }
}
