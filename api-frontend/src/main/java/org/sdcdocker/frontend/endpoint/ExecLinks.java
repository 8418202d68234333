package org.sdcdocker.frontend.endpoint;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.sdcdocker.frontend.cluster.ExecBackend;
import org.sdcdocker.protocol.DockerException;
import org.sdcdocker.protocol.ErrorKind;
import org.sdcdocker.protocol.Json;

/**
 * Exec starts through links to the agents' data planes: one connection per agent is kept ready
 * (its ticket asked and its connection made ahead), so a start only names its exec on it and reads
 * the agent's answer. The link taken is replaced at once; a link found broken (its agent went away)
 * is replaced and the start tried once more on a new one.
 */
final class ExecLinks {
  private final ExecBackend backend;
  private final StreamProxy streams;
  private final Map<String, Future<NetSocket>> ready = new ConcurrentHashMap<>();

  ExecLinks(ExecBackend backend, StreamProxy streams) {
    this.backend = backend;
    this.streams = streams;
  }

  /** A started exec's stdio on its agent: the connection (paused) and output that came with the answer. */
  record Started(NetSocket agent, Buffer early) {}

  /** Starts the exec on its agent (a refusal fails with the agent's error). */
  Future<Started> start(String account, String execId) {
    String cn = backend.where(account, execId).cnUuid();
    Future<NetSocket> link = ready.remove(cn);
    if (link == null) {
      link = connect(cn);
    }
    prepare(cn);
    return link.compose(sock -> start(sock, execId)).recover(e -> e instanceof DockerException
        ? Future.failedFuture(e)
        : connect(cn).compose(sock -> start(sock, execId)));
  }

  /** Makes the agent's next link, unless one is ready or on its way. */
  private void prepare(String cn) {
    ready.computeIfAbsent(cn, k -> {
      Future<NetSocket> f = connect(k);
      f.onSuccess(sock -> sock.closeHandler(v -> ready.remove(k, f))).onFailure(e -> ready.remove(k, f));
      return f;
    });
  }

  private Future<NetSocket> connect(String cn) {
    return backend.linkTicket(cn).compose(streams::connect);
  }

  /** Names the exec on the link and reads the answer line; after {@code ok} the link is its stdio. */
  private static Future<Started> start(NetSocket sock, String execId) {
    Promise<Started> answer = Promise.promise();
    Buffer got = Buffer.buffer();
    sock.closeHandler(v -> answer.tryFail(new java.io.IOException("the agent closed the link")));
    sock.exceptionHandler(e -> answer.tryFail(new java.io.IOException(e)));
    sock.handler(buf -> {
      got.appendBuffer(buf);
      int nl = -1;
      for (int i = 0; i < got.length(); i++) {
        if (got.getByte(i) == '\n') {
          nl = i;
          break;
        }
      }
      if (nl < 0) {
        return;
      }
      sock.pause();
      sock.handler(null);
      sock.closeHandler(null);
      sock.exceptionHandler(null);
      String line = got.getString(0, nl);
      if (line.equals("ok")) {
        answer.tryComplete(new Started(sock, got.getBuffer(nl + 1, got.length())));
      } else {
        sock.close();
        answer.tryFail(refusal(line));
      }
    });
    sock.resume();
    sock.write(execId + "\n").onFailure(e -> answer.tryFail(new java.io.IOException(e)));
    return answer.future();
  }

  /** {@code error KIND "message"}, as the agent refused the start. */
  private static DockerException refusal(String line) {
    String[] f = line.split(" ", 3);
    if (f.length == 3 && f[0].equals("error")) {
      try {
        return new DockerException(ErrorKind.valueOf(f[1]), Json.decode(f[2].getBytes(
            java.nio.charset.StandardCharsets.UTF_8), String.class));
      } catch (RuntimeException e) {
        // not an answer of ours
      }
    }
    return DockerException.internal("the agent answered the exec start with: %s", line);
  }
}
