package org.sdcdocker.it.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.sdcdocker.it.support.DockerCli.Result;

/**
 * What the tenants' tests start from: a server with {@code --tlsverify} on a data root of its own
 * (under {@link #dir}), its admin socket, and a local registry holding busybox ({@link #image}).
 */
public final class TlsServer implements AutoCloseable {
  public final Path dir;
  public final ServerProcess server;
  public final LocalRegistry registry;
  public final String image;

  private TlsServer(Path dir, ServerProcess server, LocalRegistry registry, String image) {
    this.dir = dir;
    this.server = server;
    this.registry = registry;
    this.image = image;
  }

  /** Starts both, in a new temporary directory named after {@code prefix}. */
  public static TlsServer start(String prefix) throws Exception {
    Path dir = Files.createTempDirectory(prefix);
    Files.createDirectories(dir.resolve("data"));
    ServerProcess server =
        new ServerProcess(dir.resolve("data"), LocalRegistry.freePort(), List.of("--tlsverify"));
    server.start();
    LocalRegistry registry = LocalRegistry.start(null, null);
    TestImages.push(registry, "x/busybox", "latest", TestImages.busyboxLayer(), null, null);
    return new TlsServer(dir, server, registry, registry.host() + "/x/busybox:latest");
  }

  /** sdc-dockeradm against the server's admin socket. */
  public Result adminRun(String... args) throws Exception {
    return AdminCli.sdcDockeradm(server.adminSocket(), args);
  }

  /** sdc-dockeradm; fails the test when it fails. Its output. */
  public String admin(String... args) throws Exception {
    Result r = adminRun(args);
    assertThat(r.exitCode()).as(r.all()).isZero();
    return r.out();
  }

  /** A certificate directory for {@code login} by {@code cert issue}: {@code dir/login}. */
  public Path issue(String login) throws Exception {
    Path out = dir.resolve(login);
    admin("cert", "issue", login, "--out", out.toString(), "--host", server.host());
    return out;
  }

  /** The docker CLI with the certificates of a directory. */
  public DockerCli tenant(Path certs) throws IOException {
    return new DockerCli(server.host(), certs);
  }

  /** Stops both; nothing of the server may be left behind. */
  @Override
  public void close() throws Exception {
    try {
      server.close();
      registry.close();
      assertThat(SdcServer.leftovers(dir.resolve("data"))).as("left behind").isEmpty();
    } finally {
      TestFiles.deleteTree(dir);
    }
  }
}
