package org.sdcdocker.it.support;

/**
 * What every end-to-end class needs: a registry with the busybox image, a server, a CLI pointed at
 * it, and the image pulled. Closing removes the containers (failing on leftovers) and the registry.
 */
public final class Fixture implements AutoCloseable {
  public final LocalRegistry registry;
  public final SdcServer server;
  public final DockerCli docker;

  /** The busybox image's reference, pulled. */
  public final String image;

  private Fixture(LocalRegistry registry, SdcServer server, DockerCli docker, String image) {
    this.registry = registry;
    this.server = server;
    this.docker = docker;
    this.image = image;
  }

  public static Fixture start() throws Exception {
    LocalRegistry registry = LocalRegistry.start(null, null);
    try {
      TestImages.push(registry, "x/busybox", "latest", TestImages.busyboxLayer(), null, null);
      SdcServer server = SdcServer.start();
      DockerCli docker = new DockerCli(server.host());
      String image = registry.host() + "/x/busybox";
      Fixture f = new Fixture(registry, server, docker, image);
      docker.ok("pull", image);
      return f;
    } catch (Exception | Error e) {
      registry.close();
      throw e;
    }
  }

  @Override
  public void close() throws Exception {
    try {
      server.close();
    } finally {
      registry.close();
    }
  }
}
