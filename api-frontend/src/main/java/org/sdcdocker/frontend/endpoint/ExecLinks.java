package org.sdcdocker.frontend.endpoint;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.sdcdocker.bus.ExecLink;
import org.sdcdocker.frontend.cluster.ExecBackend;
import org.sdcdocker.protocol.DockerException;

/**
 * Exec starts through links to the agents' data planes: one connection per agent is kept ready (its
 * ticket asked and its connection made ahead), so a start only names its exec on it and reads the
 * agent's answer. The link taken is replaced at once; a link found broken (its agent went away) is
 * replaced and the start tried once more on a new one.
 */
final class ExecLinks {
  private final ExecBackend backend;
  private final StreamProxy streams;
  private final Map<String, Future<NetSocket>> ready = new ConcurrentHashMap<>();

  ExecLinks(ExecBackend backend, StreamProxy streams) {
    this.backend = backend;
    this.streams = streams;
  }

  /**
   * A started exec's stdio on its agent: the connection (paused) and output that came with the
   * answer.
   */
  record Started(NetSocket agent, Buffer early) {}

  /** Starts the exec on its agent (a refusal fails with the agent's error). */
  Future<Started> start(String account, String execId) {
    String cn = backend.where(account, execId).cnUuid();
    Future<NetSocket> link = ready.remove(cn);
    if (link == null) {
      link = connect(cn);
    }
    prepare(cn);
    return link.compose(sock -> start(sock, execId))
        .recover(
            e ->
                e instanceof DockerException
                    ? Future.failedFuture(e)
                    : connect(cn).compose(sock -> start(sock, execId)));
  }

  /** Makes the agent's next link, unless one is ready or on its way. */
  private void prepare(String cn) {
    ready.computeIfAbsent(
        cn,
        k -> {
          Future<NetSocket> f = connect(k);
          f.onSuccess(sock -> sock.closeHandler(v -> ready.remove(k, f)))
              .onFailure(e -> ready.remove(k, f));
          return f;
        });
  }

  private Future<NetSocket> connect(String cn) {
    return backend.linkTicket(cn).compose(streams::connect);
  }

  /**
   * Names the exec on the link and reads the answer line; after {@code ok} the link is its stdio.
   */
  private static Future<Started> start(NetSocket sock, String execId) {
    Promise<Started> answer = Promise.promise();
    sock.closeHandler(v -> answer.tryFail(new IOException("the agent closed the link")));
    sock.exceptionHandler(e -> answer.tryFail(new IOException(e)));
    ExecLink.readLine(
        sock,
        (line, early) -> {
          sock.closeHandler(null);
          sock.exceptionHandler(null);
          if (line.equals(ExecLink.OK)) {
            answer.tryComplete(new Started(sock, early));
          } else {
            sock.close();
            answer.tryFail(ExecLink.refused(line));
          }
        });
    sock.resume();
    sock.write(execId + "\n").onFailure(e -> answer.tryFail(new IOException(e)));
    return answer.future();
  }
}
