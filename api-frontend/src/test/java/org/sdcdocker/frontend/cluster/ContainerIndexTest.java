package org.sdcdocker.frontend.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Future;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.sdcdocker.protocol.DockerException;
import org.sdcdocker.protocol.ErrorKind;
import org.sdcdocker.protocol.agent.ContainerSpec;
import org.sdcdocker.protocol.agent.ZoneRecord;
import org.sdcdocker.protocol.agent.ZoneState;

class ContainerIndexTest {
  static ZoneRecord rec(String id, String name, String owner, ZoneState st) {
    return new ZoneRecord(
        "cn",
        new ContainerSpec(
            id,
            name,
            owner,
            "img",
            "sha256:x",
            List.of(),
            List.of(),
            List.of("true"),
            List.of(),
            "",
            "",
            "h",
            "",
            Map.of(),
            false,
            false,
            false,
            false,
            null,
            null,
            "2026-01-01T00:00:00Z",
            List.of(),
            null),
        st);
  }

  @Test
  void resolve_byIdNameOrUniquePrefix_withinTheAccount() {
    ContainerIndex idx = new ContainerIndex();
    idx.put(rec("aaa111", "one", "acct", ZoneState.created()));
    idx.put(rec("aaa222", "two", "acct", ZoneState.created()));
    idx.put(rec("bbb333", "three", "other", ZoneState.created()));
    assertThat(idx.resolve("acct", "aaa111").spec().name()).isEqualTo("one");
    assertThat(idx.resolve("acct", "/two").spec().id()).isEqualTo("aaa222");
    assertThat(idx.resolve("acct", "aaa2").spec().id()).isEqualTo("aaa222");
    assertThatThrownBy(() -> idx.resolve("acct", "aaa"))
        .hasMessage("multiple IDs found with provided prefix: aaa");
    assertThatThrownBy(() -> idx.resolve("acct", "bbb333"))
        .isInstanceOfSatisfying(
            DockerException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.NOT_FOUND));
  }

  @Test
  void names_areReservedUntilTheCreateEnds() {
    ContainerIndex idx = new ContainerIndex();
    idx.reserveName("acct", "web", "id1");
    assertThatThrownBy(() -> idx.reserveName("acct", "web", "id2"))
        .hasMessageContaining("\"/web\" is already in use by container \"id1\"");
    idx.reserveName("other", "web", "id3");
    idx.releaseName("acct", "web");
    idx.reserveName("acct", "web", "id4");
  }

  @Test
  void olderRecords_doNotOverwriteNewerOnes_andWaitersWake() {
    ContainerIndex idx = new ContainerIndex();
    ZoneState running = ZoneState.created().started(5, "t1");
    ZoneRecord started = rec("id", "n", "a", ZoneState.created()).withState(running);
    idx.put(started);
    Future<ZoneRecord> exited =
        idx.when("id", c -> c.after() != null && !c.after().state().running());
    idx.put(started.withState(running.exited(3, "t2")));
    idx.put(started); // a late reply of the start
    assertThat(idx.resolve("a", "id").state().exitCode()).isEqualTo(3);
    assertThat(exited.succeeded()).isTrue();
    Future<ZoneRecord> removed = idx.when("id", c -> c.after() == null);
    idx.remove("id");
    assertThat(removed.result().state().exitCode()).isEqualTo(3);
  }

  @Test
  void aReplyThatComesAfterTheDestroy_doesNotBringTheContainerBack() {
    ContainerIndex idx = new ContainerIndex();
    ZoneRecord made = rec("id", "n", "a", ZoneState.created());
    idx.put(made);
    ZoneRecord started = made.withState(ZoneState.created().started(5, "t1"));
    idx.destroyed("id"); // removed through another front end while a start was on its way
    idx.put(started); // the start's late reply
    assertThat(idx.byId("id")).isNull();
    assertThatThrownBy(() -> idx.resolve("a", "n"))
        .isInstanceOfSatisfying(
            DockerException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.NOT_FOUND));
    // a container merely forgotten (its node's list lacked it) is known again when listed
    idx.put(rec("other", "o", "a", ZoneState.created()));
    idx.remove("other");
    idx.put(rec("other", "o", "a", ZoneState.created()));
    assertThat(idx.byId("other")).isNotNull();
  }
}
