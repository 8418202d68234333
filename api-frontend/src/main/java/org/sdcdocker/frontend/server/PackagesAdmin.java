package org.sdcdocker.frontend.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.concurrent.Callable;
import org.sdcdocker.frontend.account.PackageStore;
import org.sdcdocker.frontend.account.ResourcePackage;
import org.sdcdocker.frontend.http.Http;
import org.sdcdocker.protocol.DockerException;
import org.sdcdocker.protocol.Json;

/**
 * The admin API's packages ({@code sdc-dockeradm package}): defined, listed, shown, deactivated.
 * Packages are never changed or removed: containers name theirs.
 */
final class PackagesAdmin {
  private final Vertx vertx;
  private final PackageStore packages;

  PackagesAdmin(Vertx vertx, PackageStore packages) {
    this.vertx = vertx;
    this.packages = packages;
  }

  void mount(Router r) {
    r.route("/packages*").handler(BodyHandler.create().setBodyLimit(64 << 10));
    r.get("/packages").handler(Http.json(200, ctx -> vertx.executeBlocking(packages::list)));
    r.post("/packages")
        .handler(
            Http.json(
                201,
                ctx -> {
                  JsonNode b;
                  try {
                    b = Json.MAPPER.readTree(ctx.body().asString());
                  } catch (Exception e) {
                    throw DockerException.invalid("the body is not JSON");
                  }
                  return shared(
                      () ->
                          packages.add(
                              b.path("Name").asText(null),
                              b.path("Memory").asLong(0),
                              b.path("Swap").asLong(0),
                              b.path("Disk").asLong(0),
                              b.path("CpuShares").asLong(0),
                              b.path("CpuCap").asLong(0),
                              b.path("Pids").asLong(0)));
                }));
    r.get("/packages/:which")
        .handler(
            Http.json(
                200, ctx -> vertx.executeBlocking(() -> packages.get(ctx.pathParam("which")))));
    r.post("/packages/:which/deactivate")
        .handler(Http.json(200, ctx -> shared(() -> packages.deactivate(ctx.pathParam("which")))));
  }

  /** A package made or changed, answered once every front end of the fleet has it. */
  private Future<ResourcePackage> shared(Callable<ResourcePackage> c) {
    return vertx
        .executeBlocking(c)
        .compose(
            p ->
                packages
                    .shared(p.name())
                    .transform(
                        ar ->
                            ar.succeeded()
                                ? Future.succeededFuture(p)
                                : Future.failedFuture(
                                    DockerException.unavailable(
                                        "package %s was changed on this front end, but the"
                                            + " fleet's map could not take the change; the other"
                                            + " front ends get it when this one restarts",
                                        p.name()))));
  }
}
