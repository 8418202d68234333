package org.sdcdocker.it.support;

import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/** An end-to-end class with its own fixture: registry, server, CLI and the busybox image pulled. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class FixtureTest {
  protected Fixture f;
  protected DockerCli docker;
  protected String image;

  @BeforeAll
  void startFixture() throws Exception {
    f = Fixture.start();
    docker = f.docker;
    image = f.image;
  }

  /** Polls an inspect format of a container until it satisfies the condition (at most 10 s). */
  protected String await(String id, String format, Predicate<String> done) throws Exception {
    String v = "";
    for (int i = 0; i < 200; i++) {
      v = docker.ok("inspect", "-f", format, id);
      if (done.test(v)) {
        return v;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("inspect " + format + " of " + id + " stayed at " + v);
  }

  @AfterAll
  void stopFixture() throws Exception {
    if (f != null) {
      f.close();
    }
  }
}
