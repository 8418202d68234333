package org.sdcdocker.frontend.cluster;

import io.vertx.core.Future;
import java.util.List;
import java.util.function.Function;

/** Work tried on each of several things at once, where some may fail (the prunes). */
public final class Attempts {
  private Attempts() {}

  /**
   * Runs {@code op} on every item and, once all are done, answers the results of those that
   * succeeded.
   */
  public static <T, R> Future<List<R>> succeeded(List<T> items, Function<T, Future<R>> op) {
    List<Future<R>> tries = items.stream().map(op).toList();
    return Future.join(tries)
        .transform(
            ar ->
                Future.succeededFuture(
                    tries.stream().filter(Future::succeeded).map(Future::result).toList()));
  }
}
