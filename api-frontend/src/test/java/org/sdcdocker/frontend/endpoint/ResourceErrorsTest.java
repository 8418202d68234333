package org.sdcdocker.frontend.endpoint;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.sdcdocker.frontend.fake.FakeFrontEndTests;

/**
 * The error paths of the image, network, volume, system, build and commit endpoints over an
 * in-memory agent: Docker's status and message for each (a streamed answer's error in its stream).
 */
class ResourceErrorsTest extends FakeFrontEndTests {
  private static final String BAD_FILTER = filters("{\"nope\":{\"x\":true}}");

  @Test
  void images() throws Exception {
    expect(fe.get("/images/json" + BAD_FILTER), 400, "invalid filter 'nope'");
    expect(fe.get("/images/nosuch/history"), 404, "No such image: nosuch");
    expect(fe.get("/images/nosuch/get"), 404, "No such image: nosuch");
    expect(fe.get("/images/get?names=nosuch"), 404, "No such image: nosuch");
    expect(fe.send("POST", "/images/prune" + BAD_FILTER, ""), 400, "invalid filter 'nope'");
    expect(
        fe.send("POST", "/images/nosuch/push", ""),
        404,
        "An image does not exist locally with the tag: nosuch");
    expectStreamed(
        fe.send("POST", "/images/load", "not a tar"),
        "invalid tar archive: no manifest.json, nor an OCI layout's index.json");
    expect(fe.get("/images/search"), 400, "term is required");
    expect(fe.get("/images/search?term=x&limit=abc"), 400, "invalid value for limit: abc");
    expect(
        fe.send("POST", "/auth", "[1]"),
        400,
        "json: cannot unmarshal array into Go value of type registry.AuthConfig");
    expect(
        fe.send(
            "POST",
            "/auth",
            "{\"serveraddress\":\"127.0.0.1:1\",\"username\":\"a\",\"password\":\"b\"}"),
        500,
        "connect: connection refused");
  }

  @Test
  void networks() throws Exception {
    expect(fe.get("/networks" + BAD_FILTER), 400, "invalid filter 'nope'");
    expect(fe.send("POST", "/networks/prune" + BAD_FILTER, ""), 400, "invalid filter 'nope'");
    expect(fe.send("DELETE", "/networks/nosuch", ""), 404, "network nosuch not found");
    expect(
        fe.send("POST", "/networks/nosuch/connect", "{\"Container\":\"x\"}"),
        404,
        "network nosuch not found");
    expect(
        fe.send("POST", "/networks/nosuch/disconnect", "{\"Container\":\"x\"}"),
        404,
        "network nosuch not found");
  }

  @Test
  void volumes() throws Exception {
    expect(fe.get("/volumes" + BAD_FILTER), 400, "invalid filter 'nope'");
    expect(fe.send("POST", "/volumes/prune" + BAD_FILTER, ""), 400, "invalid filter 'nope'");
    expect(fe.send("DELETE", "/volumes/nosuch", ""), 404, "get nosuch: no such volume");
  }

  @Test
  void systemBuildAndCommit() throws Exception {
    expect(fe.get("/v1.50/system/df?type=bogus"), 400, "unknown object type: bogus");
    assertThat(fe.get("/v1.41/system/df?type=bogus").statusCode()).isEqualTo(200);
    assertThat(fe.get("/v1.50/system/df?type=volume").body())
        .isEqualToIgnoringWhitespace("{\"Volumes\":[]}"); // only the part asked for
    assertThat(fe.send("HEAD", "/_ping", "").statusCode()).isEqualTo(200);
    expect(fe.send("POST", "/build/prune" + filters("{bad"), ""), 400, "invalid filter: {bad");
    expect(fe.send("POST", "/build/prune" + BAD_FILTER, ""), 400, "invalid filter 'nope'");
    expectStreamed(
        fe.send("POST", "/build?dockerfile=../x", ""), "Cannot locate specified Dockerfile: ../x");
    expect(fe.send("POST", "/commit?container=nosuch", ""), 404, "No such container: nosuch");
    expect(
        fe.send("DELETE", "/containers/a/b?link=1", ""),
        404,
        "Cannot get parent /a for link name /a/b");
    expect(fe.send("POST", "/containers/prune" + BAD_FILTER, ""), 400, "invalid filter 'nope'");
    expect(
        fe.send("POST", "/exec/nosuch/resize?h=1&w=1", ""), 404, "No such exec instance: nosuch");
  }

  private static String filters(String json) {
    return "?filters=" + URLEncoder.encode(json, StandardCharsets.UTF_8);
  }

  /** A streamed answer (200 once it began) whose last message is the error. */
  private static void expectStreamed(HttpResponse<String> r, String message) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.body()).contains("\"errorDetail\":{\"message\":\"" + message);
  }
}
