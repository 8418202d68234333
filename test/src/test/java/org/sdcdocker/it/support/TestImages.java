package org.sdcdocker.it.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Images the tests build themselves (Docker Hub is out of reach): a one-layer image of Debian's
 * static busybox with a passwd file, pushed to a registry over its HTTP API.
 */
public final class TestImages {
  private static final List<String> APPLETS =
      List.of(
          "sh",
          "echo",
          "true",
          "false",
          "sleep",
          "cat",
          "id",
          "pwd",
          "env",
          "ls",
          "kill",
          "nc",
          "ps",
          "wc",
          "head",
          "yes",
          "seq",
          "hostname",
          "printf",
          "test",
          "exit",
          "tail",
          "sed",
          "grep",
          "date",
          "mkdir",
          "touch",
          "rm",
          "mount",
          "chown",
          "df",
          "ln",
          "stat",
          "wget",
          "httpd",
          "nslookup",
          "ip",
          "ping");

  private TestImages() {}

  /**
   * The busybox layer: /bin/busybox with its applets, /etc/passwd and group, a non-executable file.
   */
  public static byte[] busyboxLayer() throws IOException {
    return busyboxLayerWith(null, null);
  }

  /** The busybox layer with one more file (when {@code path} is not null), mode 0644. */
  public static byte[] busyboxLayerWith(String path, byte[] data) throws IOException {
    ByteArrayOutputStream raw = new ByteArrayOutputStream();
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(raw)) {
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      for (String d : List.of("bin", "etc", "tmp", "root", "home", "home/app", "var")) {
        dir(tar, d, d.equals("tmp") ? 01777 : 0755);
      }
      file(tar, "bin/busybox", Files.readAllBytes(Path.of("/bin/busybox")), 0755);
      for (String a : APPLETS) {
        TarArchiveEntry e = new TarArchiveEntry("bin/" + a, TarArchiveEntry.LF_SYMLINK);
        e.setLinkName("busybox");
        tar.putArchiveEntry(e);
        tar.closeArchiveEntry();
      }
      file(
          tar,
          "etc/passwd",
          ("root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\n"
                  + "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n")
              .getBytes(StandardCharsets.UTF_8),
          0644);
      file(
          tar,
          "etc/group",
          "root:x:0:\napp:x:1000:\nstaff:x:50:app\nnogroup:x:65534:\n"
              .getBytes(StandardCharsets.UTF_8),
          0644);
      file(tar, "bin/noexec", "not a program\n".getBytes(StandardCharsets.UTF_8), 0644);
      if (path != null) {
        file(tar, path, data, 0644);
      }
    }
    return raw.toByteArray();
  }

  private static void dir(TarArchiveOutputStream tar, String name, int mode) throws IOException {
    TarArchiveEntry e = new TarArchiveEntry(name + "/");
    e.setMode(040000 | mode);
    tar.putArchiveEntry(e);
    tar.closeArchiveEntry();
  }

  private static void file(TarArchiveOutputStream tar, String name, byte[] data, int mode)
      throws IOException {
    TarArchiveEntry e = new TarArchiveEntry(name);
    e.setSize(data.length);
    e.setMode(0100000 | mode);
    tar.putArchiveEntry(e);
    tar.write(data);
    tar.closeArchiveEntry();
  }

  static byte[] gzip(byte[] data) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(data);
    }
    return out.toByteArray();
  }

  static String sha256(byte[] data) {
    try {
      return "sha256:"
          + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Pushes a one-layer Docker v2 image whose command is {@code sh}; returns the manifest digest.
   */
  public static String push(
      LocalRegistry reg, String repo, String tag, byte[] layerTar, String user, String password)
      throws IOException, InterruptedException {
    String auth =
        user == null
            ? null
            : "Basic "
                + Base64.getEncoder()
                    .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    byte[] m = manifest(reg, repo, layerTar, "[\"sh\"]", "amd64", false, auth);
    putManifest(reg, repo, tag, m, "application/vnd.docker.distribution.manifest.v2+json", auth);
    return sha256(m);
  }

  /**
   * Pushes the busybox image with a VOLUME at {@code path} in its config (as a Dockerfile's
   * VOLUME).
   */
  public static void pushWithVolume(
      LocalRegistry reg, String repo, String tag, byte[] layerTar, String path)
      throws IOException, InterruptedException {
    byte[] m =
        manifest(
            reg,
            repo,
            layerTar,
            "[\"sh\"],\"Volumes\":{\"" + path + "\":{}}",
            "amd64",
            false,
            null);
    putManifest(reg, repo, tag, m, "application/vnd.docker.distribution.manifest.v2+json", null);
  }

  /**
   * Pushes an OCI index with an arm64 and an amd64 image of the same layer, each with a command
   * that prints its architecture, so a test sees which one a pull chose.
   */
  public static String pushIndex(LocalRegistry reg, String repo, String tag, byte[] layerTar)
      throws IOException, InterruptedException {
    StringBuilder idx =
        new StringBuilder(
            "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[");
    String sep = "";
    for (String arch : List.of("arm64", "amd64")) {
      byte[] m = manifest(reg, repo, layerTar, "[\"echo\",\"" + arch + "\"]", arch, true, null);
      String digest = sha256(m);
      putManifest(reg, repo, digest, m, "application/vnd.oci.image.manifest.v1+json", null);
      idx.append(sep)
          .append("{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"size\":")
          .append(m.length)
          .append(",\"digest\":\"")
          .append(digest)
          .append("\",\"platform\":{\"architecture\":\"")
          .append(arch)
          .append("\",\"os\":\"linux\"}}");
      sep = ",";
    }
    byte[] index = idx.append("]}").toString().getBytes(StandardCharsets.UTF_8);
    putManifest(reg, repo, tag, index, "application/vnd.oci.image.index.v1+json", null);
    return sha256(index);
  }

  private static byte[] manifest(
      LocalRegistry reg,
      String repo,
      byte[] layerTar,
      String cmd,
      String arch,
      boolean oci,
      String auth)
      throws IOException, InterruptedException {
    HttpClient http = HttpClient.newHttpClient();
    byte[] layer = gzip(layerTar);
    String layerDigest = putBlob(http, reg, repo, layer, auth);
    String config =
        "{\"architecture\":\""
            + arch
            + "\",\"os\":\"linux\",\"created\":\"2026-01-01T00:00:00Z\","
            + "\"config\":{\"Env\":[\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\"],"
            + "\"Cmd\":"
            + cmd
            + ",\"Labels\":{\"org.sdcdocker.test\":\"busybox\"}},"
            + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\""
            + sha256(layerTar)
            + "\"]}}";
    byte[] cfg = config.getBytes(StandardCharsets.UTF_8);
    String configDigest = putBlob(http, reg, repo, cfg, auth);
    String configType =
        oci
            ? "application/vnd.oci.image.config.v1+json"
            : "application/vnd.docker.container.image.v1+json";
    String layerType =
        oci
            ? "application/vnd.oci.image.layer.v1.tar+gzip"
            : "application/vnd.docker.image.rootfs.diff.tar.gzip";
    String manifest =
        "{\"schemaVersion\":2,\"mediaType\":\""
            + (oci
                ? "application/vnd.oci.image.manifest.v1+json"
                : "application/vnd.docker.distribution.manifest.v2+json")
            + "\",\"config\":{\"mediaType\":\""
            + configType
            + "\",\"size\":"
            + cfg.length
            + ",\"digest\":\""
            + configDigest
            + "\"},\"layers\":[{\"mediaType\":\""
            + layerType
            + "\",\"size\":"
            + layer.length
            + ",\"digest\":\""
            + layerDigest
            + "\"}]}";
    return manifest.getBytes(StandardCharsets.UTF_8);
  }

  private static void putManifest(
      LocalRegistry reg, String repo, String ref, byte[] m, String type, String auth)
      throws IOException, InterruptedException {
    send(
        HttpClient.newHttpClient(),
        request(reg.url() + "/v2/" + repo + "/manifests/" + ref, auth)
            .header("Content-Type", type)
            .PUT(HttpRequest.BodyPublishers.ofByteArray(m))
            .build(),
        201);
  }

  private static String putBlob(
      HttpClient http, LocalRegistry reg, String repo, byte[] data, String auth)
      throws IOException, InterruptedException {
    String digest = sha256(data);
    HttpResponse<String> start =
        send(
            http,
            request(reg.url() + "/v2/" + repo + "/blobs/uploads/", auth)
                .POST(HttpRequest.BodyPublishers.noBody())
                .build(),
            202);
    String loc = start.headers().firstValue("Location").orElseThrow();
    URI base = URI.create(reg.url());
    URI upload = base.resolve(loc);
    String sep = upload.getQuery() == null ? "?" : "&";
    send(
        http,
        request(upload + sep + "digest=" + digest, auth)
            .header("Content-Type", "application/octet-stream")
            .PUT(HttpRequest.BodyPublishers.ofByteArray(data))
            .build(),
        201);
    return digest;
  }

  private static HttpRequest.Builder request(String url, String auth) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url));
    if (auth != null) {
      b.header("Authorization", auth);
    }
    return b;
  }

  private static HttpResponse<String> send(HttpClient http, HttpRequest req, int expected)
      throws IOException, InterruptedException {
    HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != expected) {
      throw new IOException(
          req.method() + " " + req.uri() + " answered " + r.statusCode() + ": " + r.body());
    }
    return r;
  }
}
