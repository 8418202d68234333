package org.sdcdocker.frontend.cluster;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.sdcdocker.bus.Daemons;
import org.sdcdocker.protocol.Json;
import org.sdcdocker.protocol.agent.FrontendEvents.DockerEvent;

/**
 * A front end of a fleet keeps its events on its disk too, so that {@code docker events --since}
 * still answers after the whole fleet restarted: one JSON line per event, appended by one writer
 * thread (never the event loop); rewritten with the newest {@value EventLog#CAPACITY} once it holds
 * twice that. A line a crash cut short is skipped when the file is read back.
 */
public final class EventJournal {
  private final Path file;
  private final ExecutorService writer =
      Executors.newSingleThreadExecutor(Daemons.named("sdc-event-journal"));
  private int lines; // only the writer thread touches it

  private EventJournal(Path file, int lines) {
    this.file = file;
    this.lines = lines;
  }

  /** The journal in {@code file} and the events it holds, oldest first. Blocking. */
  public static EventJournal open(Path file, List<DockerEvent> into) throws IOException {
    int n = 0;
    if (Files.exists(file)) {
      for (String line : Files.readAllLines(file, UTF_8)) {
        n++;
        try {
          into.add(Json.decode(line.getBytes(UTF_8), DockerEvent.class));
        } catch (RuntimeException cutShort) {
          // the last write of a crash: the events before it stand
        }
      }
    }
    return new EventJournal(file, n);
  }

  /** Appends an event, later, on the writer thread. */
  public void append(DockerEvent e) {
    writer.execute(
        () -> {
          try (BufferedWriter w =
              Files.newBufferedWriter(
                  file, UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
            w.write(new String(Json.bytes(e), UTF_8));
            w.newLine();
          } catch (IOException full) {
            return; // the log in memory stands; the disk's copy misses this one
          }
          if (++lines > 2 * EventLog.CAPACITY) {
            write(tail(EventLog.CAPACITY));
          }
        });
  }

  /** The newest {@code n} lines of the file. */
  private List<String> tail(int n) {
    try {
      List<String> all = Files.readAllLines(file, UTF_8);
      return all.subList(Math.max(0, all.size() - n), all.size());
    } catch (IOException e) {
      return List.of();
    }
  }

  /** The file anew with these lines (temporary file, renamed). */
  private void write(List<String> content) {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try {
      Files.write(tmp, content, UTF_8);
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      lines = content.size();
    } catch (IOException e) {
      // the old file stands
    }
  }

  /** Writes the file anew with these events (what the log keeps once it merged another's). */
  public void rewrite(List<DockerEvent> events) {
    List<String> content = events.stream().map(e -> new String(Json.bytes(e), UTF_8)).toList();
    writer.execute(() -> write(content));
  }
}
