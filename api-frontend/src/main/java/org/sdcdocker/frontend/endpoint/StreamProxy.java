package org.sdcdocker.frontend.endpoint;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.streams.WriteStream;
import io.vertx.core.buffer.Buffer;
import org.sdcdocker.protocol.DockerException;

/** Pipes a byte stream from an agent's data-plane endpoint to a client, with backpressure. */
final class StreamProxy {
  private final HttpClient client;

  StreamProxy(Vertx vertx) {
    this.client = vertx.createHttpClient();
  }

  /** Opens the ticket's stream; the response is not read until piped. */
  Future<HttpClientResponse> open(String url) {
    return client.request(new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(url))
        .compose(req -> req.send())
        .compose(resp -> resp.statusCode() == 200 ? Future.succeededFuture(resp)
            : Future.failedFuture(DockerException.internal("agent stream answered %d", resp.statusCode())));
  }

  /** Copies the agent's stream to the client; ends the client's side when the agent's ends. */
  static Future<Void> pipe(HttpClientResponse from, WriteStream<Buffer> to) {
    return from.pipeTo(to);
  }
}
