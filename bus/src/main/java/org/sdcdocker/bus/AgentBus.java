package org.sdcdocker.bus;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import org.sdcdocker.protocol.DockerException;
import org.sdcdocker.protocol.ErrorKind;
import org.sdcdocker.protocol.LogLine;
import org.sdcdocker.protocol.agent.Addresses;
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
    return Node.of(vertx, cnUuid)
        .serve(
            verb,
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

  /**
   * The verbs one node serves on one Vert.x instance, behind one consumer at the node's address
   * ({@link Verb#address}), which hands each request to its verb's handler by the request's record.
   * One address per node, not one per verb: in a fleet each registration is an entry the cluster
   * keeps, and the clustered bus registers a context's addresses one after another, so an agent's
   * start waited about 0.25 s for some fifty of them.
   */
  private static final class Node implements Shareable {
    /** Each Vert.x instance's nodes, in its own local map (gone with the instance). */
    private static final String NODES = "sdc.agent-bus.nodes";

    private final Map<String, Handler<Message<Object>>> verbs = new ConcurrentHashMap<>();
    private final MessageConsumer<Object> consumer;

    private Node(Vertx vertx, String cnUuid) {
      consumer =
          vertx
              .eventBus()
              .consumer(
                  Addresses.cn(cnUuid, Verb.NODE_ADDRESS),
                  m -> {
                    String verb =
                        m.body() instanceof AgentRequest<?> r ? r.verb().name() : "(not a verb)";
                    Handler<Message<Object>> h = verbs.get(verb);
                    if (h == null) {
                      m.fail(
                          0,
                          DockerException.unavailable(
                                  "compute node %s does not serve %s: its agent is of another"
                                      + " version",
                                  cnUuid, verb)
                              .toWire());
                      return;
                    }
                    h.handle(m);
                  });
    }

    /** The node's verbs on this instance, made (or made again, once undeployed) when needed. */
    static Node of(Vertx vertx, String cnUuid) {
      synchronized (Node.class) {
        LocalMap<String, Node> nodes = vertx.sharedData().getLocalMap(NODES);
        Node n = nodes.get(cnUuid);
        if (n == null || !n.consumer.isRegistered()) {
          n = new Node(vertx, cnUuid);
          nodes.put(cnUuid, n);
        }
        return n;
      }
    }

    @SuppressWarnings("unchecked")
    <Q> MessageConsumer<Q> serve(Verb<?, ?> verb, Handler<Message<Q>> handler) {
      verbs.put(verb.name(), m -> handler.handle((Message<Q>) (Message<?>) m));
      return (MessageConsumer<Q>) (MessageConsumer<?>) consumer;
    }
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
