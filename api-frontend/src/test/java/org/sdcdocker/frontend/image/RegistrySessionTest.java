package org.sdcdocker.frontend.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.io.InputStream;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sdcdocker.protocol.DockerException;
import org.sdcdocker.protocol.ErrorKind;

/** The bearer-token dance against a small registry on loopback that asks for a token. */
class RegistrySessionTest {
  private Vertx vertx;
  private HttpServer server;
  private final AtomicInteger tokenRequests = new AtomicInteger();
  private static final String MANIFEST = "{\"schemaVersion\":2,\"layers\":[]}";

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    server =
        vertx
            .createHttpServer()
            .requestHandler(
                req -> {
                  int port = req.localAddress().port();
                  if (req.path().equals("/token")) {
                    tokenRequests.incrementAndGet();
                    boolean basicOk = "Basic YWxpY2U6cHc=".equals(req.getHeader("Authorization"));
                    boolean scopeOk =
                        "repository:x/app:pull".equals(req.getParam("scope"))
                            && "reg".equals(req.getParam("service"));
                    if (basicOk && scopeOk) {
                      req.response().end("{\"token\":\"t0k\"}");
                    } else {
                      req.response().setStatusCode(401).end();
                    }
                  } else if ("Bearer t0k".equals(req.getHeader("Authorization"))) {
                    if (req.path().endsWith("/manifests/v1")) {
                      req.response()
                          .putHeader("Content-Type", "application/vnd.oci.image.manifest.v1+json")
                          .end(MANIFEST);
                    } else if (req.path().contains("/blobs/")) {
                      req.response().end("blob");
                    } else {
                      req.response()
                          .setStatusCode(404)
                          .end("{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\"}]}");
                    }
                  } else {
                    req.response()
                        .setStatusCode(401)
                        .putHeader(
                            "WWW-Authenticate",
                            "Bearer realm=\"http://127.0.0.1:"
                                + port
                                + "/token\",service=\"reg\",scope=\"repository:x/app:pull\"")
                        .end();
                  }
                })
            .listen(0, "127.0.0.1")
            .await();
  }

  @AfterEach
  void stop() {
    vertx.close().await();
  }

  private RegistrySession session(RegistryAuth auth) {
    ImageReference ref = ImageReference.parse("127.0.0.1:" + server.actualPort() + "/x/app:v1");
    return new RegistrySession(PullTask.newHttpClient(), ref, auth);
  }

  @Test
  void bearerChallenge_isAnsweredOnceWithTheClientsCredentials() throws Exception {
    RegistrySession s = session(new RegistryAuth("alice", "pw", null, null));
    RegistrySession.Manifest m = s.manifest("v1");
    assertThat(new String(m.body())).isEqualTo(MANIFEST);
    assertThat(m.mediaType()).isEqualTo("application/vnd.oci.image.manifest.v1+json");
    assertThat(m.digest()).isEqualTo(RegistrySession.sha256(MANIFEST.getBytes()));
    try (InputStream in = s.blob("sha256:" + "0".repeat(64))) {
      assertThat(new String(in.readAllBytes())).isEqualTo("blob");
    }
    assertThat(tokenRequests).hasValue(1);
  }

  @Test
  void missingTag_isNotFoundInDockersWords() {
    RegistrySession s = session(new RegistryAuth("alice", "pw", null, null));
    assertThatThrownBy(() -> s.manifest("v2"))
        .isInstanceOfSatisfying(
            DockerException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(ErrorKind.NOT_FOUND);
              assertThat(e.getMessage()).endsWith("not found: manifest unknown: manifest unknown");
            });
  }

  @Test
  void wrongCredentials_areUnauthorized() {
    RegistrySession s = session(new RegistryAuth("alice", "nope", null, null));
    assertThatThrownBy(() -> s.manifest("v1"))
        .isInstanceOfSatisfying(
            DockerException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.UNAUTHORIZED));
  }

  @Test
  void unreachableRegistry_saysSo() {
    ImageReference ref = ImageReference.parse("127.0.0.1:1/x/app:v1");
    RegistrySession s = new RegistrySession(PullTask.newHttpClient(), ref, RegistryAuth.NONE);
    assertThatThrownBy(() -> s.manifest("v1")).hasMessageContaining("connection refused");
  }

  @Test
  void registryAuthHeader_decodesDockersBase64Json() {
    String h =
        Base64.getUrlEncoder().encodeToString("{\"username\":\"u\",\"password\":\"p\"}".getBytes());
    RegistryAuth a = RegistryAuth.fromHeader(h);
    assertThat(a.username()).isEqualTo("u");
    assertThat(a.basic()).isEqualTo("Basic dTpw");
    assertThat(RegistryAuth.fromHeader(null).hasBasic()).isFalse();
    assertThat(RegistryAuth.fromHeader("e30=").hasBasic()).isFalse();
  }
}
