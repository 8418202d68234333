package org.sdcdocker.frontend.fake;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** A test class over one {@link FakeFrontEnd} for all its tests, with Docker's error shape. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class FakeFrontEndTests {
  @TempDir protected static Path root;
  protected FakeFrontEnd fe;

  @BeforeAll
  void startFrontEnd() throws Exception {
    fe = FakeFrontEnd.start(root);
  }

  @AfterAll
  void stopFrontEnd() throws Exception {
    fe.close();
  }

  /** A Docker error: the status, and {@code {"message": ...}} with the words given. */
  protected static void expect(HttpResponse<String> r, int status, String message) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    assertThat(r.body()).startsWith("{\"message\":").contains(message);
  }

  protected HttpResponse<String> get(String path) throws Exception {
    return fe.get(path);
  }

  protected HttpResponse<String> send(String method, String path, String body) throws Exception {
    return fe.send(method, path, body);
  }
}
