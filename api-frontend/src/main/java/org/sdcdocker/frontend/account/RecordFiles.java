package org.sdcdocker.frontend.account;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.sdcdocker.protocol.Json;

/**
 * A directory of records, one JSON file each, written whole: a temporary file renamed over the old
 * one, so a crash leaves the old record or the new one, never half of one.
 */
public final class RecordFiles {
  private RecordFiles() {}

  /** Every record under {@code dir} (made when missing); left-over temporary files go. Blocking. */
  public static <T> List<T> load(Path dir, Class<T> type) throws IOException {
    Files.createDirectories(dir);
    List<T> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.toList()) {
        String name = f.getFileName().toString();
        if (name.endsWith(".json")) {
          out.add(Json.decode(Files.readAllBytes(f), type));
        } else if (name.endsWith(".tmp")) {
          Files.deleteIfExists(f); // a write a crash cut short; the record's file is whole
        }
      }
    }
    return out;
  }

  /** Writes the record {@code key} whole. Blocking. */
  public static void write(Path dir, String key, Object record) throws IOException {
    Path target = dir.resolve(key + ".json");
    Path tmp = dir.resolve(key + ".json.tmp");
    Files.write(tmp, Json.bytes(record));
    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }
}
