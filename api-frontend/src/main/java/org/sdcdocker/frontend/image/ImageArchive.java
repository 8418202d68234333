package org.sdcdocker.frontend.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.sdcdocker.protocol.Digest;
import org.sdcdocker.protocol.DockerException;
import org.sdcdocker.protocol.Json;
import org.sdcdocker.protocol.agent.LayerRef;

/**
 * The docker-archive format of {@code docker save} and {@code docker load}: {@code manifest.json}
 * naming each image's config ({@code <hex>.json}) and its layers ({@code <diff-id>/layer.tar},
 * uncompressed), with {@code repositories} for older readers.
 */
public final class ImageArchive {
  static final String PLAIN_LAYER = "application/vnd.docker.image.rootfs.diff.tar";

  private final ImageStore images;
  private final Path scratch;

  public ImageArchive(ImageStore images, Path scratch) throws IOException {
    this.images = images;
    this.scratch = scratch;
    Files.createDirectories(scratch);
  }

  /** Writes the images (each with its tags) as one archive. */
  public void save(Map<ImageRecord, List<String>> selected, OutputStream out) throws IOException {
    ArrayNode manifest = Json.MAPPER.createArrayNode();
    ObjectNode repositories = Json.MAPPER.createObjectNode();
    Set<String> written = new HashSet<>();
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
      for (Map.Entry<ImageRecord, List<String>> e : selected.entrySet()) {
        ImageRecord img = e.getKey();
        JsonNode cfg = images.config(img);
        String configName = img.id().substring(7) + ".json";
        if (written.add(configName)) {
          entry(tar, configName, images.blobs().path(img.id()));
        }
        ArrayNode layers = Json.MAPPER.createArrayNode();
        JsonNode diffIds = cfg.path("rootfs").path("diff_ids");
        for (int i = 0; i < img.layers().size(); i++) {
          String dir = diffIds.path(i).asText("sha256:" + i).substring(7);
          String name = dir + "/layer.tar";
          layers.add(name);
          if (written.add(name)) {
            Path plain = uncompressed(img.layers().get(i));
            try {
              entry(tar, name, plain);
            } finally {
              if (!plain.equals(images.blobs().path(img.layers().get(i).digest()))) {
                Files.deleteIfExists(plain);
              }
            }
          }
        }
        ObjectNode m = manifest.addObject();
        m.put("Config", configName);
        ArrayNode tags = m.putArray("RepoTags");
        e.getValue().forEach(tags::add);
        m.set("Layers", layers);
        for (String t : e.getValue()) {
          int colon = t.lastIndexOf(':');
          ObjectNode repo =
              repositories.has(t.substring(0, colon))
                  ? (ObjectNode) repositories.get(t.substring(0, colon))
                  : repositories.putObject(t.substring(0, colon));
          repo.put(
              t.substring(colon + 1),
              layers.isEmpty() ? "" : layers.get(layers.size() - 1).asText().split("/")[0]);
        }
      }
      bytes(tar, "manifest.json", Json.bytes(manifest));
      bytes(tar, "repositories", Json.bytes(repositories));
      tar.finish();
    }
  }

  /** A layer blob as a plain tar: itself, or decompressed (gzip, zstd) into a scratch file. */
  private Path uncompressed(LayerRef layer) throws IOException {
    Path blob = images.blobs().path(layer.digest());
    if (!Compression.compressed(blob)) {
      return blob;
    }
    Path tmp = Files.createTempFile(scratch, "layer", ".tar");
    try (InputStream in = Compression.decompressed(Files.newInputStream(blob))) {
      Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
    }
    return tmp;
  }

  private static void entry(TarArchiveOutputStream tar, String name, Path file) throws IOException {
    TarArchiveEntry e = new TarArchiveEntry(name);
    e.setSize(Files.size(file));
    e.setMode(0100644);
    tar.putArchiveEntry(e);
    Files.copy(file, tar);
    tar.closeArchiveEntry();
  }

  private static void bytes(TarArchiveOutputStream tar, String name, byte[] data)
      throws IOException {
    TarArchiveEntry e = new TarArchiveEntry(name);
    e.setSize(data.length);
    e.setMode(0100644);
    tar.putArchiveEntry(e);
    tar.write(data);
    tar.closeArchiveEntry();
  }

  /**
   * Loads an archive for an account: every config and layer is checked against its digest and the
   * config's diff ids before anything is stored, so a bad archive leaves the store as it was.
   * Returns what docker load prints, one line per image.
   */
  public List<String> load(String account, Path archive) throws IOException {
    Path dir = Files.createTempDirectory(scratch, "load");
    try {
      Map<String, Path> files = new LinkedHashMap<>();
      try (TarArchiveInputStream tar =
          new TarArchiveInputStream(Compression.decompressed(Files.newInputStream(archive)))) {
        TarArchiveEntry e;
        while ((e = tar.getNextEntry()) != null) {
          if (!e.isFile()) {
            continue;
          }
          String name = e.getName().startsWith("./") ? e.getName().substring(2) : e.getName();
          if (name.startsWith("/") || List.of(name.split("/")).contains("..")) {
            throw DockerException.invalid("invalid tar archive: entry %s leaves the archive", name);
          }
          Path f = Files.createTempFile(dir, "entry", "");
          Files.copy(tar, f, StandardCopyOption.REPLACE_EXISTING);
          files.put(name, f);
        }
      } catch (IOException | IllegalArgumentException e) {
        throw DockerException.invalid("Error processing tar file: %s", e.getMessage());
      }
      Path manifestFile = files.get("manifest.json");
      JsonNode manifest;
      if (manifestFile != null) {
        manifest = Json.MAPPER.readTree(manifestFile.toFile());
      } else if (files.containsKey("index.json")) {
        manifest = fromOciLayout(files);
      } else {
        throw DockerException.invalid(
            "invalid tar archive: no manifest.json, nor an OCI layout's index.json");
      }
      Map<String, LayerRef> known = knownLayers();
      record Ready(ImageRecord image, byte[] config, List<Path> layers, List<String> tags) {}
      List<Ready> ready = new ArrayList<>();
      for (JsonNode m : manifest) {
        Path cfgFile = need(files, m.path("Config").asText());
        byte[] config = Files.readAllBytes(cfgFile);
        String id = Digest.of(config).toString();
        JsonNode cfg = Json.MAPPER.readTree(config);
        JsonNode diffIds = cfg.path("rootfs").path("diff_ids");
        List<Path> layerFiles = new ArrayList<>();
        List<LayerRef> refs = new ArrayList<>();
        long size = 0;
        int i = 0;
        for (JsonNode l : m.path("Layers")) {
          Path f = need(files, l.asText());
          boolean packed = Compression.compressed(f); // an OCI layout's layers are compressed blobs
          String digest;
          try (InputStream in = Compression.decompressed(Files.newInputStream(f))) {
            digest = Digest.of(in).toString();
          }
          if (!digest.equals(diffIds.path(i).asText())) {
            throw DockerException.invalid(
                "invalid diffID for layer %d: expected %s, got %s",
                i, diffIds.path(i).asText(), digest);
          }
          layerFiles.add(f);
          // a layer the store has (pulled, compressed) is that blob: each layer is stored once
          refs.add(
              known.getOrDefault(
                  digest,
                  packed
                      ? new LayerRef(blobDigest(f), layerType(files, l.asText()), Files.size(f))
                      : new LayerRef(digest, PLAIN_LAYER, Files.size(f))));
          size += Files.size(f);
          i++;
        }
        if (i != diffIds.size()) {
          throw DockerException.invalid(
              "invalid manifest: %d layers for %d diff ids", i, diffIds.size());
        }
        List<String> tags = new ArrayList<>();
        m.path("RepoTags").forEach(t -> tags.add(t.asText()));
        ready.add(
            new Ready(
                new ImageRecord(id, refs, List.of(), size, cfg.path("created").asText("")),
                config,
                layerFiles,
                tags));
      }
      List<String> out = new ArrayList<>();
      for (Ready r : ready) {
        images.blobs().put(r.image().id(), r.config());
        for (int j = 0; j < r.layers().size(); j++) {
          String d = r.image().layers().get(j).digest();
          if (!images.blobs().has(d)) { // a known layer's blob is there already
            Files.move(
                r.layers().get(j), images.blobs().path(d), StandardCopyOption.REPLACE_EXISTING);
          }
        }
        if (r.tags().isEmpty()) {
          images.add(account, r.image(), null);
          out.add("Loaded image ID: " + r.image().id());
        }
        for (String t : r.tags()) {
          images.add(account, r.image(), ImageReference.parse(t));
          out.add("Loaded image: " + t);
        }
      }
      return out;
    } finally {
      try (var walk = Files.walk(dir)) {
        for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  private static String blobDigest(Path f) throws IOException {
    try (InputStream in = Files.newInputStream(f)) {
      return Digest.of(in).toString();
    }
  }

  /** A compressed layer's media type: zstd or gzip, as its first bytes say. */
  private static String layerType(Map<String, Path> files, String name) throws IOException {
    try (InputStream in = Files.newInputStream(need(files, name))) {
      byte[] h = in.readNBytes(2);
      return h.length == 2 && (h[0] & 0xff) == 0x28 && (h[1] & 0xff) == 0xb5
          ? "application/vnd.oci.image.layer.v1.tar+zstd"
          : ImageCommit.GZIP_LAYER;
    }
  }

  /**
   * An OCI layout (index.json, blobs/sha256/...) in manifest.json's shape: each image manifest of
   * the index with its config and layer blobs, tagged by its containerd or OCI ref-name annotation
   * when that is a reference.
   */
  private static JsonNode fromOciLayout(Map<String, Path> files) throws IOException {
    ArrayNode out = Json.MAPPER.createArrayNode();
    JsonNode index = Json.MAPPER.readTree(files.get("index.json").toFile());
    for (JsonNode d : index.path("manifests")) {
      String mt = d.path("mediaType").asText();
      if (mt.contains("index") || mt.contains("manifest.list")) {
        throw DockerException.invalid(
            "an OCI layout whose index names another index is not loaded here");
      }
      JsonNode m = Json.MAPPER.readTree(need(files, blobName(d.path("digest").asText())).toFile());
      ObjectNode entry = out.addObject();
      entry.put("Config", blobName(m.path("config").path("digest").asText()));
      ArrayNode layers = entry.putArray("Layers");
      m.path("layers").forEach(l -> layers.add(blobName(l.path("digest").asText())));
      ArrayNode tags = entry.putArray("RepoTags");
      String name =
          d.path("annotations")
              .path("io.containerd.image.name")
              .asText(d.path("annotations").path("org.opencontainers.image.ref.name").asText(""));
      if (name.contains(":") || name.contains("/")) {
        ImageReference r = ImageReference.parse(name);
        if (r.digest() == null) {
          tags.add(r.familiarName() + ":" + r.tag());
        }
      }
    }
    return out;
  }

  private static String blobName(String digest) {
    if (!Digest.is(digest)) {
      throw DockerException.invalid("invalid digest in the OCI layout: %s", digest);
    }
    return "blobs/sha256/" + Digest.parse(digest).hex();
  }

  /**
   * The layers the store has, by diff id (the digest of the plain tar), from the images' configs.
   */
  private Map<String, LayerRef> knownLayers() {
    Map<String, LayerRef> out = new HashMap<>();
    for (ImageRecord img : images.all()) {
      JsonNode diffIds = images.config(img).path("rootfs").path("diff_ids");
      for (int i = 0; i < img.layers().size() && i < diffIds.size(); i++) {
        out.putIfAbsent(diffIds.get(i).asText(), img.layers().get(i));
      }
    }
    return out;
  }

  private static Path need(Map<String, Path> files, String name) {
    Path f = files.get(name.startsWith("./") ? name.substring(2) : name);
    if (f == null) {
      throw DockerException.invalid(
          "invalid tar archive: %s is named in manifest.json but missing", name);
    }
    return f;
  }
}
