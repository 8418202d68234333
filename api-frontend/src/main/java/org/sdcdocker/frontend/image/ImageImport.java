package org.sdcdocker.frontend.image;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.sdcdocker.protocol.Digest;
import org.sdcdocker.protocol.DockerException;
import org.sdcdocker.protocol.Json;
import org.sdcdocker.protocol.agent.LayerRef;

/**
 * docker import: a root filesystem tarball (plain or gzipped) becomes a one-layer image, with a
 * config made of the {@code -c} changes and a history entry carrying the message.
 */
public final class ImageImport {
  private final ImageStore images;

  public ImageImport(ImageStore images) {
    this.images = images;
  }

  /** Stores the tarball at {@code file} as an image; the file is consumed. Blocking. */
  public ImageRecord importTar(
      String account, Path file, List<String> changes, String message, String source)
      throws IOException {
    boolean gzip;
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
      gzip = in.read() == 0x1f && in.read() == 0x8b;
    }
    String blobDigest = Digest.of(Files.newInputStream(file)).toString();
    String diffId =
        gzip
            ? Digest.of(new GZIPInputStream(Files.newInputStream(file), 1 << 16)).toString()
            : blobDigest;
    checkTar(file, gzip);
    String now = Instant.now().toString();
    ObjectNode cfg = Json.MAPPER.createObjectNode();
    cfg.put("architecture", "amd64").put("os", "linux").put("created", now);
    ObjectNode config = cfg.putObject("config");
    for (String c : changes) {
      CommitChanges.apply(config, c);
    }
    cfg.putObject("rootfs").put("type", "layers").putArray("diff_ids").add(diffId);
    ObjectNode h =
        cfg.putArray("history")
            .addObject()
            .put("created", now)
            .put("created_by", "Imported from " + source);
    if (message != null && !message.isEmpty()) {
      h.put("comment", message);
      cfg.put("comment", message);
    }
    long size = Files.size(file);
    if (!images.blobs().has(blobDigest)) {
      Files.move(file, images.blobs().path(blobDigest), StandardCopyOption.REPLACE_EXISTING);
    }
    byte[] bytes = Json.bytes(cfg);
    String id = Digest.of(bytes).toString();
    images.blobs().put(id, bytes);
    ImageRecord img =
        new ImageRecord(
            id,
            List.of(
                new LayerRef(
                    blobDigest, gzip ? ImageCommit.GZIP_LAYER : ImageArchive.PLAIN_LAYER, size)),
            List.of(),
            size,
            now);
    images.add(account, img, null);
    return img;
  }

  /** A tarball that is not one is refused before anything is stored. */
  private static void checkTar(Path file, boolean gzip) throws IOException {
    try (InputStream raw = Files.newInputStream(file);
        InputStream in = gzip ? new GZIPInputStream(raw, 1 << 16) : raw;
        var tar = new TarArchiveInputStream(in)) {
      int entries = 0;
      while (tar.getNextEntry() != null) {
        entries++;
      }
      if (entries == 0 && Files.size(file) > 0) {
        throw DockerException.invalid("Error processing tar file: not a tar archive");
      }
    } catch (IOException | IllegalArgumentException e) {
      throw DockerException.invalid("Error processing tar file: %s", e.getMessage());
    }
  }
}
