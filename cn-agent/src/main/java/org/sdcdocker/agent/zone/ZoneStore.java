package org.sdcdocker.agent.zone;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import org.sdcdocker.protocol.Json;
import org.sdcdocker.protocol.agent.ZoneRecord;

/** The zones' persisted records: written whole (temp file, then rename), read at start. */
final class ZoneStore {
  private final Path root;

  ZoneStore(Path root) throws IOException {
    this.root = root;
    Files.createDirectories(root.resolve("zones"));
    Files.createDirectories(root.resolve("exits"));
  }

  ZonePaths paths(String id) {
    return new ZonePaths(root, id);
  }

  void save(ZoneRecord rec) {
    ZonePaths p = paths(rec.spec().id());
    Path tmp = p.dir().resolve("zone.json.tmp");
    try {
      Files.write(tmp, Json.bytes(rec));
      Files.move(
          tmp, p.record(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException("saving zone " + rec.spec().id(), e);
    }
  }

  /** Every zone whose record was written; a directory without one is a failed create. */
  List<ZoneRecord> loadAll() throws IOException {
    List<ZoneRecord> out = new ArrayList<>();
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root.resolve("zones"))) {
      for (Path d : dirs) {
        Path rec = d.resolve("zone.json");
        if (Files.exists(rec)) {
          out.add(Json.decode(Files.readAllBytes(rec), ZoneRecord.class));
        }
      }
    }
    return out;
  }

  /** Directories of zones that have no record (a create that died half-way). */
  List<Path> orphans() throws IOException {
    List<Path> out = new ArrayList<>();
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root.resolve("zones"))) {
      for (Path d : dirs) {
        if (!Files.exists(d.resolve("zone.json"))) {
          out.add(d);
        }
      }
    }
    return out;
  }
}
