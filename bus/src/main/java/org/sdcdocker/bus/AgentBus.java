package org.sdcdocker.bus;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import java.util.function.BiFunction;
import org.sdcdocker.protocol.DockerException;
import org.sdcdocker.protocol.ErrorKind;
import org.sdcdocker.protocol.agent.AgentRequest;
import org.sdcdocker.protocol.agent.Verb;

/**
 * The agents' protocol on the event bus: a front end asks one compute node with {@link #request},
 * an agent answers with {@link #serve}. A request's record names its verb, its address and its
 * reply type, so neither side writes a verb or chooses a reply type by hand.
 */
public final class AgentBus {
  private AgentBus() {}

  /**
   * What an agent does for one verb: returns the reply or throws (a DockerException keeps its
   * kind).
   */
  @FunctionalInterface
  public interface Work<Q, R> {
    R apply(Q request) throws Exception;
  }

  /** Sends a request to one node; its failure arrives as a DockerException of the agent's kind. */
  public static <R extends Record> Future<R> request(
      Vertx vertx, String cnUuid, AgentRequest<R> req, long timeoutMs) {
    return vertx
        .eventBus()
        .<R>request(
            req.verb().address(cnUuid), req, new DeliveryOptions().setSendTimeout(timeoutMs))
        .map(m -> m.body())
        .recover(e -> Future.failedFuture(failure(e)));
  }

  /**
   * Answers one verb on this node: the work runs on a worker thread; its failure travels back by
   * kind, after {@code onError} made it fit for a client (it may log and hide the details).
   */
  public static <Q extends AgentRequest<R>, R extends Record> MessageConsumer<Q> serve(
      Vertx vertx,
      String cnUuid,
      Verb<Q, R> verb,
      Work<Q, R> work,
      BiFunction<String, Throwable, DockerException> onError) {
    return vertx
        .eventBus()
        .<Q>consumer(
            verb.address(cnUuid),
            m -> {
              Q req = m.body();
              vertx
                  .executeBlocking(() -> work.apply(req), false)
                  .onSuccess(m::reply)
                  .onFailure(e -> m.fail(0, onError.apply(verb.name(), e).toWire()));
            });
  }

  /** A failed request (or any failure) as the front end reports it. */
  public static DockerException failure(Throwable e) {
    if (e instanceof ReplyException r) {
      return switch (r.failureType()) {
        case TIMEOUT ->
            new DockerException(
                ErrorKind.UNAVAILABLE, "the compute node did not answer in time", r);
        case NO_HANDLERS ->
            new DockerException(ErrorKind.UNAVAILABLE, "the compute node is not reachable", r);
        default -> DockerException.fromWire(r.getMessage(), r);
      };
    }
    return DockerException.of(e);
  }
}
