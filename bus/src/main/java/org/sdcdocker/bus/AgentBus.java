package org.sdcdocker.bus;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.internal.ContextInternal;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import org.sdcdocker.protocol.DockerException;
import org.sdcdocker.protocol.ErrorKind;
import org.sdcdocker.protocol.LogLine;
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

  /** The header that carries the id of the API request a verb serves. */
  public static final String REQUEST_ID = "sdc-request-id";

  /**
   * Remembers the id of the API request being served on the current context (Vert.x gives each
   * request a context of its own, which its futures, timers and blocking work keep), so that every
   * verb it sends carries the id.
   */
  public static void setRequestId(String id) {
    ContextInternal c = ContextInternal.current();
    if (c != null) {
      c.localContextData().put(REQUEST_ID, id);
    }
  }

  /** The id of the API request the current context serves, or null. */
  public static String requestId() {
    ContextInternal c = ContextInternal.current();
    return c == null ? null : (String) c.localContextData().get(REQUEST_ID);
  }

  /** Sends a request to one node; its failure arrives as a DockerException of the agent's kind. */
  public static <R extends Record> Future<R> request(
      Vertx vertx, String cnUuid, AgentRequest<R> req, long timeoutMs) {
    DeliveryOptions o = new DeliveryOptions().setSendTimeout(timeoutMs);
    String id = requestId();
    if (id != null) {
      o.addHeader(REQUEST_ID, id);
    }
    return vertx
        .eventBus()
        .<R>request(req.verb().address(cnUuid), req, o)
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
    return serve(vertx, cnUuid, verb, work, onError, Future::succeededFuture);
  }

  /**
   * As {@link #serve(Vertx, String, Verb, Work, BiFunction)}, and the answer, a success or a
   * failure, waits until what {@code beforeAnswer} gives when the work is done completes (in a
   * fleet: until every front end has the zone events the work made).
   */
  public static <Q extends AgentRequest<R>, R extends Record> MessageConsumer<Q> serve(
      Vertx vertx,
      String cnUuid,
      Verb<Q, R> verb,
      Work<Q, R> work,
      BiFunction<String, Throwable, DockerException> onError,
      Supplier<Future<?>> beforeAnswer) {
    return vertx
        .eventBus()
        .<Q>consumer(
            verb.address(cnUuid),
            m -> {
              Q req = m.body();
              String id = m.headers().get(REQUEST_ID);
              long started = System.nanoTime();
              vertx
                  .executeBlocking(() -> work.apply(req), false)
                  .transform(
                      ar ->
                          beforeAnswer
                              .get()
                              .transform(
                                  x ->
                                      ar.succeeded()
                                          ? Future.succeededFuture(ar.result())
                                          : Future.<R>failedFuture(ar.cause())))
                  .onSuccess(m::reply)
                  .onFailure(e -> m.fail(0, onError.apply(verb.name(), e).toWire()))
                  .onComplete(
                      ar -> {
                        if (id != null) { // a verb an API request caused: on that request's path
                          long ms = (System.nanoTime() - started) / 1_000_000;
                          LogLine.write(
                              ar.succeeded() ? "info" : "warn",
                              "agent",
                              id,
                              cnUuid,
                              verb.name()
                                  + (ar.succeeded()
                                      ? " done"
                                      : " failed: " + DockerException.of(ar.cause()).getMessage())
                                  + " in "
                                  + ms
                                  + " ms",
                              null);
                        }
                      });
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
