package org.sdcdocker.bus;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.sdcdocker.protocol.DockerException;
import org.sdcdocker.protocol.ErrorKind;
import org.sdcdocker.protocol.agent.AgentRequest;
import org.sdcdocker.protocol.agent.AgentRequests;
import org.sdcdocker.protocol.agent.AgentRequests.Ticket;
import org.sdcdocker.protocol.agent.Verbs;

class AgentBusTest {
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** The answer of one node to a request (10 s at most). */
  private <R extends Record> R answer(String cn, AgentRequest<R> req) throws Exception {
    return AgentBus.request(vertx, cn, req, 5000)
        .toCompletionStage()
        .toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
  }

  /** How one node's request failed (null: it did not). */
  private Throwable failureOf(String cn, AgentRequest<?> req) throws Exception {
    return AgentBus.request(vertx, cn, req, 5000)
        .toCompletionStage()
        .toCompletableFuture()
        .handle((v, e) -> e)
        .get(10, TimeUnit.SECONDS);
  }

  @Test
  void aRequestReachesItsVerbOnItsNode_andTheReplyHasItsType() throws Exception {
    ProtocolCodec.install(vertx.eventBus());
    AgentBus.serve(
        vertx, "cn-1", Verbs.STREAM, r -> new Ticket("url-of-" + r.kind()), (verb, e) -> null);
    Ticket t = answer("cn-1", new AgentRequests.StreamTicket("z", "logs", ""));
    assertThat(t.url()).isEqualTo("url-of-logs");
  }

  @Test
  void aFailureKeepsItsKind_andWhatTheAgentHides() throws Exception {
    ProtocolCodec.install(vertx.eventBus());
    AgentBus.serve(
        vertx,
        "cn-1",
        Verbs.START,
        r -> {
          if (r.id().equals("busy")) {
            throw DockerException.conflict("container %s is busy", r.id());
          }
          throw new IOException("/var/lib/secret/path: broken");
        },
        (verb, e) ->
            e instanceof DockerException d
                ? d
                : DockerException.internal("the node failed to %s", verb));
    Throwable busy = failureOf("cn-1", new AgentRequests.StartZone("busy"));
    assertThat(DockerException.of(busy).kind()).isEqualTo(ErrorKind.CONFLICT);
    assertThat(busy).hasMessage("container busy is busy");
    Throwable hidden = failureOf("cn-1", new AgentRequests.StartZone("x"));
    assertThat(DockerException.of(hidden).kind()).isEqualTo(ErrorKind.INTERNAL);
    assertThat(hidden).hasMessage("the node failed to start");
    Throwable nobody = failureOf("cn-2", new AgentRequests.StartZone("x"));
    assertThat(DockerException.of(nobody).kind()).isEqualTo(ErrorKind.UNAVAILABLE);
    // a node that runs but does not serve that verb (an agent of another version) says so
    Throwable unknown = failureOf("cn-1", new AgentRequests.KillZone("x", 9, false));
    assertThat(DockerException.of(unknown).kind()).isEqualTo(ErrorKind.UNAVAILABLE);
    assertThat(unknown)
        .hasMessage("compute node cn-1 does not serve kill: its agent is of another version");
  }

  @Test
  void aNodesVerbsShareOneAddress_eachRequestReachesItsOwn() throws Exception {
    ProtocolCodec.install(vertx.eventBus());
    var start =
        AgentBus.serve(
            vertx, "cn-1", Verbs.STREAM, r -> new Ticket("stream-" + r.kind()), (verb, e) -> null);
    var other =
        AgentBus.serve(vertx, "cn-1", Verbs.KILL, r -> new AgentRequests.Ack(), (verb, e) -> null);
    assertThat(other).isSameAs(start); // one registration in the cluster, not one per verb
    assertThat(start.address()).isEqualTo("cn.cn-1.verbs");
    Ticket t = answer("cn-1", new AgentRequests.StreamTicket("z", "attach", ""));
    assertThat(t.url()).isEqualTo("stream-attach");
    assertThat(answer("cn-1", new AgentRequests.KillZone("z", 9, false)))
        .isInstanceOf(AgentRequests.Ack.class);
  }

  @Test
  void errorKinds_travelByName() {
    for (ErrorKind k : ErrorKind.values()) {
      DockerException sent = new DockerException(k, "No such container: x y");
      DockerException got =
          AgentBus.failure(new ReplyException(ReplyFailure.RECIPIENT_FAILURE, 0, sent.toWire()));
      assertThat(got.kind()).isEqualTo(k);
      assertThat(got.getMessage()).isEqualTo("No such container: x y");
    }
    DockerException unknown =
        AgentBus.failure(
            new ReplyException(ReplyFailure.RECIPIENT_FAILURE, 3, "SOMETHING_NEW what it said"));
    assertThat(unknown.kind()).isEqualTo(ErrorKind.INTERNAL);
    assertThat(unknown.getMessage()).isEqualTo("SOMETHING_NEW what it said");
    DockerException timeout =
        AgentBus.failure(
            new ReplyException(
                ReplyFailure.TIMEOUT,
                -1,
                "Timed out after waiting 30000(ms) for a reply. address: __vertx.reply.1"));
    assertThat(timeout.kind()).isEqualTo(ErrorKind.UNAVAILABLE);
    assertThat(timeout.getMessage()).doesNotContain("__vertx");
  }
}
