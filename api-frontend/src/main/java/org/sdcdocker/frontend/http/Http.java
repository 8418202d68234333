package org.sdcdocker.frontend.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.PlatformHandler;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.sdcdocker.bus.AgentBus;
import org.sdcdocker.frontend.cluster.Outcome;
import org.sdcdocker.frontend.metrics.FrontendMetrics;
import org.sdcdocker.frontend.translate.CreateBodyTypes;
import org.sdcdocker.protocol.DockerException;
import org.sdcdocker.protocol.ErrorKind;
import org.sdcdocker.protocol.Json;
import org.sdcdocker.protocol.LogLine;

/**
 * The API edge: routes with the optional /vX.Y prefix, JSON replies, and the one error mapping.
 *
 * <p>Why it is long: every endpoint goes through it, so the route registry (what the isolation test
 * walks), the reply shapes and the mapping of every failure to Docker's error are kept here
 * together.
 */
public final class Http {
  /** The key under which the request's API version is kept in the routing context. */
  public static final String VERSION = "apiVersion";

  private Http() {}

  /**
   * Every route of the API as {@code METHOD /path}, its parameters as {@code {name}}: what the
   * admin API lists, so a test can check that each route naming an object keeps accounts apart.
   */
  private static final Set<String> ROUTES = new ConcurrentSkipListSet<>();

  /** The routes made so far (see {@link #ROUTES}). */
  public static List<String> routes() {
    return List.copyOf(ROUTES);
  }

  private static String remember(String method, String pathRegex) {
    String label = pathRegex.replaceAll("\\(\\?<([a-z]+)>[^)]*\\)", "{$1}");
    ROUTES.add(method + " " + label);
    return label;
  }

  /** Where a request's route is kept for its metrics: the path's pattern, ids as {names}. */
  private static final String ROUTE = "sdc.route";

  /**
   * Marks the requests a route takes with its label (what the metrics count them by). A platform
   * handler: Vert.x lets a route's body handler come after it, not after a user handler.
   */
  private static Route labelled(Route route, String label) {
    return route.handler(new Label(label));
  }

  private record Label(String label) implements PlatformHandler {
    @Override
    public void handle(RoutingContext ctx) {
      ctx.put(ROUTE, label);
      ctx.next();
    }
  }

  /** The header that names a request: the client's when it sent a usable one, else made here. */
  public static final String REQUEST_ID = "X-Request-Id";

  private static final String REQUEST_ID_KEY = "sdc.request-id";

  /** A client's request id we take as it is. */
  private static final Pattern USABLE_ID = Pattern.compile("[A-Za-z0-9._:-]{1,64}");

  /**
   * The first handler of every request: its id (the client's {@code X-Request-Id} when it is a
   * usable one, else a new one) sent back in the same header and carried on every verb it sends to
   * an agent; when it ends, one log line (method, path, status, time) and its metrics.
   */
  public static void traced(RoutingContext ctx) {
    long started = System.nanoTime();
    String given = ctx.request().getHeader(REQUEST_ID);
    String id =
        given != null && USABLE_ID.matcher(given).matches()
            ? given
            : Long.toHexString(ThreadLocalRandom.current().nextLong() | Long.MIN_VALUE);
    ctx.put(REQUEST_ID_KEY, id);
    ctx.response().putHeader(REQUEST_ID, id);
    AgentBus.setRequestId(id);
    ctx.addEndHandler(
        v -> {
          long nanos = System.nanoTime() - started;
          int status = ctx.response().getStatusCode();
          FrontendMetrics.apiRequest(
              ctx.request().method().name(), ctx.get(ROUTE, "unmatched"), status, nanos);
          LogLine.write(
              status >= 500 ? "error" : "info",
              "frontend",
              id,
              null,
              ctx.request().method()
                  + " "
                  + ctx.request().path()
                  + " "
                  + status
                  + " "
                  + nanos / 1_000_000
                  + " ms",
              null);
        });
    ctx.next();
  }

  /** A route for a path regex (named groups become path params), with or without /vX.Y. */
  public static Route route(Router router, HttpMethod method, String pathRegex) {
    String label = remember(method.name(), pathRegex);
    return labelled(
        router.routeWithRegex(method, "^(?:/v[0-9]+\\.[0-9]+)?" + pathRegex + "/?$"), label);
  }

  /** A route for a POST that a client may hijack (it then arrives as a marked GET). */
  public static Route hijackable(Router router, String pathRegex) {
    return hijackable(router, pathRegex, 0);
  }

  /** The same, reading a JSON body of at most {@code bodyLimit} bytes first (0: no body). */
  public static Route hijackable(Router router, String pathRegex, int bodyLimit) {
    String label = remember("POST", pathRegex);
    Route route =
        labelled(
            router
                .routeWithRegex("^(?:/v[0-9]+\\.[0-9]+)?" + pathRegex + "/?$")
                .method(HttpMethod.POST)
                .method(HttpMethod.GET),
            label);
    if (bodyLimit > 0) {
      route.handler(BodyHandler.create().setBodyLimit(bodyLimit));
    }
    return route.handler(
        ctx -> {
          boolean post =
              ctx.request().method() == HttpMethod.POST
                  || "POST".equals(ctx.request().getHeader(HijackablePost.ORIGINAL_METHOD));
          if (post) {
            ctx.next();
          } else {
            ctx.fail(DockerException.notFound("page not found"));
          }
        });
  }

  /**
   * How long the first bytes after a 101 wait for this client: docker-py (and other clients whose
   * HTTP parser reads ahead, then hand over the raw socket) drops what arrived in the same read as
   * the 101's headers, so for them the output starts a moment later, as it does from Docker, whose
   * processes take that long to start; Go's clients (the docker CLI, the Go SDK) keep what they
   * read ahead and wait for nothing.
   */
  /**
   * Runs {@code send} once the 101 has had its grace alone on the wire ({@link
   * #upgradeGraceMillis}), at once for the clients that need none.
   */
  public static void afterUpgrade(Vertx vertx, RoutingContext ctx, Runnable send) {
    long grace = upgradeGraceMillis(ctx);
    if (grace == 0) {
      send.run();
    } else {
      vertx.setTimer(grace, id -> send.run());
    }
  }

  public static long upgradeGraceMillis(RoutingContext ctx) {
    String agent = ctx.request().getHeader("User-Agent");
    return agent != null
            && (agent.startsWith("Docker-Client/") || agent.startsWith("Go-http-client/"))
        ? 0
        : 15;
  }

  /**
   * The agent's stream parameter asking for consecutive frames of one stream merged into one, for
   * the docker CLI (known by its User-Agent), which reads a multiplexed stream as bytes and writes
   * each frame apart; other clients get one frame per log line, as Docker sends.
   */
  public static String frames(RoutingContext ctx) {
    String agent = ctx.request().getHeader("User-Agent");
    return agent != null && agent.startsWith("Docker-Client/") ? "&frames=merged" : "";
  }

  /** Whether the client asked to hijack the connection. */
  public static boolean hijack(RoutingContext ctx) {
    return "tcp".equalsIgnoreCase(ctx.request().getHeader("Upgrade"));
  }

  /**
   * A handler whose future's value is sent as JSON with the given status. This, with {@link
   * #empty}, is the one adapter from an endpoint's future to an answer (instead of Vert.x's {@code
   * Route.respond}): it keeps Docker's statuses (201, 204, 304) and encodes with the project's
   * mapper, whose output the golden views pin; a request that throws before its future is failed
   * the same way.
   */
  public static Handler<RoutingContext> json(int status, Function<RoutingContext, Future<?>> fn) {
    return ctx -> {
      try {
        fn.apply(ctx).onSuccess(body -> send(ctx, status, body)).onFailure(ctx::fail);
      } catch (RuntimeException e) {
        ctx.fail(e);
      }
    };
  }

  /**
   * An answer without a body: {@code status}, or 304 Not Modified when the work was done already.
   */
  public static Handler<RoutingContext> empty(int status, Function<RoutingContext, Future<?>> fn) {
    return ctx -> {
      try {
        fn.apply(ctx)
            .onSuccess(
                v -> {
                  if (!ctx.response().ended()) {
                    ctx.response().setStatusCode(v == Outcome.ALREADY ? 304 : status).end();
                  }
                })
            .onFailure(ctx::fail);
      } catch (RuntimeException e) {
        ctx.fail(e);
      }
    };
  }

  public static void send(RoutingContext ctx, int status, Object body) {
    if (ctx.response().ended()) {
      return;
    }
    byte[] json;
    try {
      json = API_JSON.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    ctx.response()
        .setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .end(Buffer.buffer(json).appendString("\n"));
  }

  /**
   * Docker's JSON: a view's map keeps its null values ({@code "Links": null}, as Docker sends them;
   * clients index them), records still leave their null fields out.
   */
  private static final ObjectMapper API_JSON =
      Json.MAPPER
          .copy()
          .setDefaultPropertyInclusion(
              JsonInclude.Value.construct(
                  JsonInclude.Include.NON_NULL, JsonInclude.Include.ALWAYS));

  /** The one mapping of error kinds to HTTP statuses, as moby's errdefs. */
  public static int status(ErrorKind kind) {
    return switch (kind) {
      case NOT_FOUND -> 404;
      case INVALID_PARAMETER -> 400;
      case CONFLICT -> 409;
      case NOT_MODIFIED -> 304;
      case UNAUTHORIZED -> 401;
      case FORBIDDEN -> 403;
      case NOT_IMPLEMENTED -> 501;
      case UNAVAILABLE -> 503;
      case UNPROCESSABLE -> 422;
      case INTERNAL -> 500;
    };
  }

  /**
   * A request the HTTP decoder refused (a header or request line too long, a malformed request):
   * Docker's error shape with the status that says which, and {@code Connection: close}, since the
   * connection ends with it (a client must not send its next request on it).
   */
  public static void invalidRequest(HttpServerRequest req) {
    Throwable cause = req.decoderResult().cause();
    int status = 400;
    String message = "bad request";
    if (cause instanceof TooLongHttpHeaderException) {
      status = 431;
      message = "request header fields too large";
    } else if (cause instanceof TooLongHttpLineException) {
      status = 414;
      message = "request URI too long";
    }
    req.response()
        .setStatusCode(status)
        .putHeader("Connection", "close")
        .putHeader("Content-Type", "application/json")
        .end(Json.encode(Map.of("message", message)) + "\n");
  }

  /** The failure handler: {"message": ...} with the status of the error's kind. */
  public static void fail(RoutingContext ctx) {
    Throwable t = ctx.failure();
    int status;
    String message;
    if (t == null) {
      status = ctx.statusCode() > 0 ? ctx.statusCode() : 500;
      message = status == 404 ? "page not found" : "request failed";
    } else if (t instanceof DockerException || t instanceof ReplyException) {
      DockerException d = AgentBus.failure(t);
      status = status(d.kind());
      message =
          d.getMessage()
              .replace("No space left on device", "no space left on device"); // Go's words
    } else { // a bug: its text is for the log, not the client
      String ref = ctx.get(REQUEST_ID_KEY);
      if (ref == null) {
        ref = Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 16);
      }
      status = 500;
      message = unexpected(ref, ctx.request().method() + " " + ctx.request().path(), t);
    }
    if (ctx.response().ended() || ctx.response().closed()) {
      return;
    }
    if (ctx.response().headWritten()) {
      ctx.response().end(); // a stream already started: nothing more to say in HTTP terms
      return;
    }
    send(ctx, status, Map.of("message", message));
  }

  /**
   * The request's JSON body as Go's decoder in Docker takes it into a struct: JSON null is an empty
   * object, anything else but an object is refused; an empty body is an empty object, or with
   * {@code bodyRequired} Docker's {@code got EOF while reading request body}.
   */
  public static JsonNode jsonObject(RoutingContext ctx, String goType, boolean bodyRequired) {
    if (ctx.body().buffer() == null || ctx.body().length() == 0) {
      if (bodyRequired) {
        throw DockerException.invalid("got EOF while reading request body");
      }
      return Json.MAPPER.createObjectNode();
    }
    var b = Json.decode(ctx.body().buffer().getBytes(), JsonNode.class);
    if (b.isNull()) {
      return Json.MAPPER.createObjectNode();
    }
    if (!b.isObject()) {
      throw DockerException.invalid(
          "json: cannot unmarshal %s into Go value of type %s",
          CreateBodyTypes.jsonType(b), goType);
    }
    return b;
  }

  /** A query flag as Docker reads it: 1/true/True set; absent, 0 or false not. */
  public static boolean flag(RoutingContext ctx, String name) {
    String v = ctx.request().getParam(name);
    return v != null && (v.equals("1") || v.equalsIgnoreCase("true"));
  }

  /** A whole-number query parameter; {@code dflt} when absent, INVALID_PARAMETER when malformed. */
  public static int intParam(RoutingContext ctx, String name, int dflt) {
    String v = ctx.request().getParam(name);
    if (v == null || v.isEmpty()) {
      return dflt;
    }
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw DockerException.invalid("invalid value for %s: %s", name, v);
    }
  }

  /** The API version of the request (set by the version check). */
  public static ApiVersion version(RoutingContext ctx) {
    ApiVersion v = ctx.get(VERSION);
    return v == null ? ApiVersion.MAX : v;
  }

  public static ErrorKind kindOf(Throwable t) {
    return AgentBus.failure(t).kind();
  }

  /**
   * Ends a streamed answer once its work is done; a failure becomes the stream's last message (the
   * status was sent with the first one).
   */
  public static <T> Handler<AsyncResult<T>> endStream(HttpServerResponse resp) {
    return ar -> {
      if (ar.failed()) {
        streamError(resp, ar.cause());
      }
      resp.end();
    };
  }

  /**
   * What a client is told of a failure that is no Docker error (a bug, or the host's): a reference
   * to the log line that holds its text ({@code what} failed), never the text itself.
   */
  private static String unexpected(String ref, String what, Throwable t) {
    LogLine.write("error", "frontend", ref, null, what + ": " + t, t);
    return "internal server error (request "
        + ref
        + " in the server's log)"
        + (DockerException.noSpace(t) ? ": no space left on device" : "");
  }

  /**
   * An error in a JSON progress stream already under way (pull, push, build): Docker's last
   * message.
   */
  public static void streamError(HttpServerResponse resp, Throwable cause) {
    String m;
    if (cause instanceof DockerException || cause instanceof ReplyException) {
      m = AgentBus.failure(cause).getMessage();
    } else { // a bug or the host's failure: its text is for the log, not the client
      m =
          unexpected(
              Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 16),
              "a streamed answer",
              cause);
    }
    ObjectNode err = Json.MAPPER.createObjectNode();
    var detail = err.putObject("errorDetail");
    Matcher code = Pattern.compile("returned a non-zero code: (\\d+)$").matcher(m);
    if (code.find()) { // a failed RUN step: its exit code, as Docker's JSONError
      detail.put("code", Integer.parseInt(code.group(1)));
    }
    detail.put("message", m);
    err.put("error", m);
    resp.write(Buffer.buffer(Json.bytes(err)).appendString("\r\n"));
  }
}
