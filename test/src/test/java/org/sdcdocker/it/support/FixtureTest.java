package org.sdcdocker.it.support;

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

  @AfterAll
  void stopFixture() throws Exception {
    if (f != null) {
      f.close();
    }
  }
}
