package org.sdcdocker.frontend.endpoint;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.sdcdocker.frontend.fake.FakeFrontEndTests;
import org.sdcdocker.protocol.Json;

/**
 * The front end's endpoints over an in-memory agent: each error path answers Docker's status and
 * message, without root, runc or a registry, in seconds.
 */
class EndpointErrorsTest extends FakeFrontEndTests {
  private static final String WITH_CMD = "{\"Image\":\"test/tiny\",\"Cmd\":[\"sh\"]}";

  @Test
  void containers_missingBadAndConflicting() throws Exception {
    expect(get("/containers/nosuch/json"), 404, "No such container: nosuch");
    expect(send("POST", "/containers/create", "{not json"), 400, "invalid JSON: ");
    expect(
        send("POST", "/containers/create", ""),
        400,
        "config cannot be empty in order to create a container");
    expect(
        send("POST", "/containers/create", "{\"Image\":\"never/pulled\"}"),
        404,
        "No such image: never/pulled:latest");
    expect(
        send("POST", "/containers/create?name=bad%20name", "{\"Image\":\"test/tiny\"}"),
        400,
        "Invalid container name (bad name), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed");
    expect(
        send("POST", "/containers/create", "{\"Image\":\"test/tiny\",\"Tty\":\"yes\"}"),
        400,
        "cannot unmarshal string");
    expect(
        send("POST", "/containers/create", "{\"Image\":\"test/tiny\"}"),
        400,
        "no command specified");
    expect(
        send("POST", "/containers/create?platform=linux/nosuch", "{\"Image\":\"test/tiny\"}"),
        400,
        "unknown operating system or architecture: invalid argument");

    assertThat(send("POST", "/containers/create?name=one", WITH_CMD).statusCode()).isEqualTo(201);
    expect(
        send("POST", "/containers/create?name=one", WITH_CMD),
        409,
        "Conflict. The container name \\\"/one\\\" is already in use by container");
    expect(send("POST", "/containers/one/kill", ""), 409, "is not running");
    expect(send("POST", "/containers/one/pause", ""), 409, "is not running");
    assertThat(send("POST", "/containers/one/stop", "").statusCode()).isEqualTo(304);
    assertThat(send("POST", "/containers/one/start", "").statusCode()).isEqualTo(204);
    assertThat(send("POST", "/containers/one/start", "").statusCode()).isEqualTo(304);
    expect(
        send("POST", "/containers/one/unpause", ""),
        409,
        "Container " + id("one") + " is not paused");
    expect(
        send("DELETE", "/containers/one", ""),
        409,
        "container is running: stop the container before removing or force remove");
    expect(send("POST", "/containers/one/kill?signal=NOSUCH", ""), 400, "Invalid signal: NOSUCH");
    assertThat(send("DELETE", "/containers/one?force=1", "").statusCode()).isEqualTo(204);
    expect(get("/containers/one/json"), 404, "No such container: one");
  }

  @Test
  void execs_imagesAndRoutes() throws Exception {
    expect(
        send("POST", "/containers/nosuch/exec", "{\"Cmd\":[\"true\"]}"),
        404,
        "No such container: nosuch");
    expect(get("/exec/nosuch/json"), 404, "No such exec instance: nosuch");
    expect(get("/images/nosuch/json"), 404, "No such image: nosuch");
    expect(send("DELETE", "/images/nosuch", ""), 404, "No such image: nosuch");
    expect(send("POST", "/images/create", ""), 400, "");
    expect(get("/volumes/nosuch"), 404, "no such volume");
    expect(get("/networks/nosuch"), 404, "network nosuch not found");
    expect(get("/v1.99/containers/json"), 400, "client version 1.99 is too new");
    expect(get("/no/such/route"), 404, "page not found");
  }

  @Test
  void moreErrorPaths_ofContainersStreamsImagesAndBodies() throws Exception {
    expect(send("POST", "/containers/nosuch/wait", ""), 404, "No such container: nosuch");
    expect(get("/containers/nosuch/logs?stdout=1"), 404, "No such container: nosuch");
    expect(
        get("/containers/nosuch/logs"), 400, "Bad parameters: you must choose at least one stream");
    expect(get("/containers/nosuch/archive?path=/"), 404, "No such container: nosuch");
    expect(send("POST", "/exec/nosuch/start", "{}"), 404, "No such exec instance: nosuch");
    expect(send("POST", "/images/nosuch/tag?repo=x/y&tag=1", ""), 404, "No such image: nosuch");
    expect(
        send(
            "POST",
            "/containers/create",
            "{\"Image\":\"test/tiny\",\"Cmd\":[\"sh\"],\"HostConfig\":{\"RestartPolicy\":"
                + "{\"Name\":\"sometimes\"}}}"),
        400,
        "invalid restart policy: unknown policy 'sometimes'");
    expect(send("POST", "/volumes/create", "{not json"), 400, "invalid JSON");
    expect(send("POST", "/networks/create", ""), 400, "got EOF while reading request body");
    expect(send("POST", "/containers/nosuch/rename?name=x", ""), 404, "No such container: nosuch");
  }

  @Test
  void systemAnswers_haveDockersShape() throws Exception {
    HttpResponse<String> ping = get("/_ping");
    assertThat(ping.statusCode()).isEqualTo(200);
    assertThat(ping.body()).isEqualTo("OK");
    HttpResponse<String> version = get("/version");
    assertThat(version.body())
        .contains("\"ApiVersion\":\"1.50\"", "\"MinAPIVersion\":\"1.24\"", "\"Os\":\"linux\"");
    assertThat(get("/info").body()).contains("\"Name\":", "\"OperatingSystem\":");
  }

  @Test
  void create_nestedFieldsOfTheWrongTypeAreRefusedInGosWords() throws Exception {
    expect(
        send(
            "POST",
            "/containers/create",
            "{\"Image\":\"test/tiny\",\"Cmd\":[\"sh\"],"
                + "\"HostConfig\":{\"Ulimits\":[{\"Name\":\"nofile\",\"Soft\":\"many\"}]}}"),
        400,
        "json: cannot unmarshal string into Go struct field "
            + "ContainerConfigWrapper.HostConfig.Ulimits.Soft of type int64");
    expect(
        send(
            "POST",
            "/containers/create",
            "{\"Image\":\"test/tiny\",\"Cmd\":[\"sh\"],\"Healthcheck\":{\"Interval\":[1]}}"),
        400,
        "json: cannot unmarshal array into Go struct field "
            + "ContainerConfigWrapper.Healthcheck.Interval of type int64");
    expect(
        send("POST", "/containers/create", "null"),
        400,
        "config cannot be empty in order to create a container");
  }

  @Test
  void inspect_givesBackWhatTheCreateSent() throws Exception {
    var created =
        send(
            "POST",
            "/containers/create?name=echoes",
            "{\"Image\":\"test/tiny\",\"Cmd\":[\"sh\"],\"AttachStdout\":true,"
                + "\"Labels\":{\"empty\":null},"
                + "\"HostConfig\":{\"CgroupParent\":\"kept\",\"OomScoreAdj\":5}}");
    assertThat(created.statusCode()).isEqualTo(201);
    String body = get("/containers/echoes/json").body();
    assertThat(body)
        .contains("\"CgroupParent\":\"kept\"", "\"OomScoreAdj\":5", "\"AttachStdout\":true")
        .contains("\"AttachStdin\":false", "\"empty\":\"\"");
    assertThat(send("DELETE", "/containers/echoes", "").statusCode()).isEqualTo(204);
    Path kept = root.resolve("fe/sent-configs");
    for (int i = 0; i < 100 && !isEmpty(kept); i++) {
      Thread.sleep(50); // the file goes with the destroy event, just after the answer
    }
    assertThat(kept).isEmptyDirectory();
  }

  @Test
  void containerVerbs_onAMissingContainer() throws Exception {
    for (String path :
        new String[] {"changes", "export", "stats?stream=false", "top", "archive?path=/"}) {
      expect(get("/containers/nosuch/" + path), 404, "No such container: nosuch");
    }
    for (String path : new String[] {"restart", "resize?h=10&w=10"}) {
      expect(send("POST", "/containers/nosuch/" + path, ""), 404, "No such container: nosuch");
    }
    expect(send("PUT", "/containers/nosuch/archive?path=/", ""), 404, "No such container: nosuch");
    // HEAD has no body: the status and the header that says why
    var head = send("HEAD", "/containers/nosuch/archive?path=/", "");
    assertThat(head.statusCode()).isEqualTo(404);
    var ws = get("/containers/nosuch/attach/ws?stream=1");
    expect(ws, 404, "No such container: nosuch");
  }

  @Test
  void update_withoutAPolicyNameKeepsThePolicy() throws Exception {
    var created =
        send(
            "POST",
            "/containers/create?name=kept-policy",
            "{\"Image\":\"test/tiny\",\"Cmd\":[\"sh\"],"
                + "\"HostConfig\":{\"RestartPolicy\":{\"Name\":\"always\"}}}");
    assertThat(created.statusCode()).isEqualTo(201);
    // what `docker update --memory` sends: a restart policy with no name
    var updated =
        send(
            "POST",
            "/containers/kept-policy/update",
            "{\"Memory\":67108864,\"RestartPolicy\":{\"Name\":\"\",\"MaximumRetryCount\":0}}");
    assertThat(updated.statusCode()).isEqualTo(200);
    var inspect = Json.decode(get("/containers/kept-policy/json").body(), JsonNode.class);
    assertThat(inspect.at("/HostConfig/RestartPolicy/Name").asText()).isEqualTo("always");
    expect(
        send(
            "POST",
            "/containers/kept-policy/update",
            "{\"RestartPolicy\":{\"Name\":\"\",\"MaximumRetryCount\":3}}"),
        400,
        "invalid restart policy: maximum retry count can only be used with 'on-failure'");
    assertThat(send("DELETE", "/containers/kept-policy", "").statusCode()).isEqualTo(204);
  }

  private static boolean isEmpty(Path dir) throws Exception {
    try (var files = Files.list(dir)) {
      return files.findAny().isEmpty();
    }
  }

  private String id(String name) throws Exception {
    return get("/containers/" + name + "/json")
        .body()
        .replaceAll("(?s).*?\"Id\":\"([0-9a-f]{64})\".*", "$1");
  }
}
