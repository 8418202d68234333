package org.sdcdocker.frontend.image;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.sdcdocker.protocol.Digest;
import org.sdcdocker.protocol.DockerException;
import org.sdcdocker.protocol.Json;
import org.sdcdocker.protocol.agent.LayerRef;

/**
 * The image service's records: images by id, and each account's tags. Images are shared content;
 * tags belong to accounts. Records and tags are written whole (temp file, rename).
 *
 * <p>Why it is long: each change (add, tag, untag, disown, delete) is here twice over, as the
 * public verb that passes it on to the other front ends and as the record change that another front
 * end's change is applied with; they share the record code, not the passing on.
 */
public final class ImageStore {
  private final Path root;
  private final BlobStore blobs;
  private final Map<String, ImageRecord> images = new ConcurrentHashMap<>();

  /** account → "repo:tag" → image id. */
  private final Map<String, Map<String, String>> tags = new ConcurrentHashMap<>();

  /**
   * account → the ids of the images it has (pulled, loaded, built, committed, imported), tagged or
   * not: an untagged one is still the account's (listed as {@code <none>}) until it removes it.
   */
  private final Map<String, Set<String>> owned = new ConcurrentHashMap<>();

  public ImageStore(Path root, BlobStore blobs) throws IOException {
    this.root = root;
    this.blobs = blobs;
    Files.createDirectories(root.resolve("images"));
    try (var files = Files.list(root.resolve("images"))) {
      for (Path p : (Iterable<Path>) files::iterator) {
        if (p.toString().endsWith(".json")) {
          ImageRecord r = Json.decode(Files.readAllBytes(p), ImageRecord.class);
          images.put(r.id(), r);
        }
      }
    }
    Path t = root.resolve("tags.json");
    if (Files.exists(t)) {
      Map<String, Map<String, String>> loaded =
          Json.MAPPER.readValue(
              t.toFile(), new TypeReference<Map<String, Map<String, String>>>() {});
      loaded.forEach((k, v) -> tags.put(k, new ConcurrentHashMap<>(v)));
    }
    Path o = root.resolve("owned.json");
    if (Files.exists(o)) {
      Map<String, List<String>> loaded =
          Json.MAPPER.readValue(o.toFile(), new TypeReference<Map<String, List<String>>>() {});
      loaded.forEach((k, v) -> owned.put(k, ConcurrentHashMap.newKeySet()));
      loaded.forEach((k, v) -> v.stream().filter(images::containsKey).forEach(owned.get(k)::add));
    }
    tags.forEach(
        (account, m) ->
            owned.computeIfAbsent(account, a -> ConcurrentHashMap.newKeySet()).addAll(m.values()));
    clearScratch();
  }

  /**
   * Work files of a build, load, import or save that a stopped front end left are never finished:
   * removed at start, before anything can be using them.
   */
  private void clearScratch() throws IOException {
    Path s = root.resolve("scratch");
    if (!Files.isDirectory(s)) {
      return;
    }
    try (var walk = Files.walk(s)) {
      for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
        if (!p.equals(s)) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  private void writeOwned() throws IOException {
    Map<String, List<String>> out = new TreeMap<>();
    owned.forEach((k, v) -> out.put(k, v.stream().sorted().toList()));
    write(root.resolve("owned.json"), Json.bytes(out));
  }

  private boolean own(String account, String imageId) {
    return owned.computeIfAbsent(account, a -> ConcurrentHashMap.newKeySet()).add(imageId);
  }

  public BlobStore blobs() {
    return blobs;
  }

  /** A directory for work files of the image service (uploads, archives), on the store's disk. */
  public Path scratch() throws IOException {
    return Files.createDirectories(root.resolve("scratch"));
  }

  /**
   * A change this front end made to the records, for the other front ends to make too: kind add
   * (the image, with {@code repoTag} when tagged), tag, untag, disown, delete.
   */
  public record Change(
      String kind, String account, ImageRecord image, String imageId, String repoTag) {}

  /**
   * Where this front end's changes go; nowhere unless set (the embedded default). What it gives for
   * a change waits until the other front ends have made it too.
   */
  private volatile Function<Change, Runnable> changes = c -> () -> {};

  /**
   * Hands every change this front end makes, once made, to {@code sink}, which gives what waits
   * until the other front ends there are have made it too: each method that changes the records
   * returns only then (outside this store's lock), so that a client's next request sees the change
   * through any front end, and an added image is not lost with this front end.
   */
  public void onChange(Function<Change, Runnable> sink) {
    this.changes = sink;
  }

  /**
   * Makes a change another front end made (its blobs already stored here), without passing it on.
   */
  public synchronized void apply(Change c) throws IOException {
    switch (c.kind()) {
      case "add" -> addRecord(c.account(), c.image(), c.repoTag());
      case "tag" -> tagRecord(c.account(), c.imageId(), c.repoTag());
      case "untag" -> untagRecord(c.account(), c.repoTag());
      case "disown" -> disownRecord(c.account(), c.imageId());
      case "own" -> {
        if (images.containsKey(c.imageId()) && own(c.account(), c.imageId())) {
          writeOwned();
        }
      }
      case "delete" -> {
        ImageRecord img = images.get(c.imageId());
        if (img != null && !held(img.id())) {
          deleteRecord(img);
        }
      }
      default -> {}
    }
  }

  /** Records an image (its blobs already stored) and tags it for the account. */
  public void add(String account, ImageRecord image, ImageReference ref) throws IOException {
    String repoTag = ref != null && ref.tag() != null ? ref.familiarName() + ":" + ref.tag() : null;
    Runnable shared;
    synchronized (this) {
      addRecord(account, image, repoTag);
      shared =
          changes.apply(new Change("add", account, images.get(image.id()), image.id(), repoTag));
    }
    shared.run(); // outside the lock: the other front ends copy the blobs meanwhile
  }

  private void addRecord(String account, ImageRecord image, String repoTag) throws IOException {
    ImageRecord old = images.get(image.id());
    ImageRecord merged = image;
    if (old != null) {
      LinkedHashSet<String> digests = new LinkedHashSet<>(old.repoDigests());
      digests.addAll(image.repoDigests());
      merged =
          new ImageRecord(
              image.id(),
              image.layers(),
              new ArrayList<>(digests),
              image.size(),
              image.created(),
              old.parent() != null ? old.parent() : image.parent());
    }
    write(root.resolve("images").resolve(image.id().substring(7) + ".json"), Json.bytes(merged));
    images.put(image.id(), merged);
    if (account != null && own(account, image.id())) { // a copy's owners come on their own
      writeOwned();
    }
    if (repoTag != null) {
      tags.computeIfAbsent(account, a -> new ConcurrentHashMap<>()).put(repoTag, image.id());
      write(root.resolve("tags.json"), Json.bytes(new TreeMap<>(tags)));
    }
  }

  /**
   * Records an image made here (commit, build) from its config: the config stored as a blob under
   * its digest, which is the image's id; untagged, the account's.
   */
  public ImageRecord addMade(
      String account,
      JsonNode config,
      List<LayerRef> layers,
      long size,
      String created,
      String parent)
      throws IOException {
    byte[] bytes = Json.bytes(config);
    String id = Digest.of(bytes).toString();
    blobs.put(id, bytes);
    ImageRecord img = new ImageRecord(id, layers, List.of(), size, created, parent);
    add(account, img, null);
    return img;
  }

  private static void write(Path target, byte[] data) throws IOException {
    Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
    Files.write(tmp, data);
    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  /** Finds an image of an account by reference, by id, or by a unique id prefix. */
  public Optional<ImageRecord> find(String account, String name) {
    Map<String, String> mine = tags.getOrDefault(account, Map.of());
    String id = null;
    if (name.matches("(sha256:)?[0-9a-f]{4,64}")) {
      String hex = name.startsWith("sha256:") ? name.substring(7) : name;
      List<String> hits =
          owned.getOrDefault(account, Set.of()).stream()
              .filter(i -> i.substring(7).startsWith(hex))
              .toList();
      if (hits.size() == 1) {
        id = hits.get(0);
      }
    }
    if (id == null) {
      ImageReference ref;
      try {
        ref = ImageReference.parse(name);
      } catch (DockerException e) {
        return Optional.empty();
      }
      if (ref.digest() != null) {
        String wanted = ref.familiarName() + "@" + ref.digest();
        return images.values().stream().filter(i -> i.repoDigests().contains(wanted)).findFirst();
      }
      id = mine.get(ref.familiarName() + ":" + ref.tag());
    }
    return Optional.ofNullable(id).map(images::get);
  }

  /** The tags of an account, by image id. */
  public Map<String, List<String>> tagsByImage(String account) {
    Map<String, List<String>> out = new HashMap<>();
    tags.getOrDefault(account, Map.of())
        .forEach((t, id) -> out.computeIfAbsent(id, k -> new ArrayList<>()).add(t));
    out.values().forEach(l -> l.sort(null));
    return out;
  }

  /** The images an account has, tagged or not. */
  public List<ImageRecord> list(String account) {
    return owned.getOrDefault(account, Set.of()).stream()
        .map(images::get)
        .filter(Objects::nonNull)
        .toList();
  }

  /** The account's images made from this one (its children: build steps, commits). */
  public List<ImageRecord> children(String account, String imageId) {
    return list(account).stream().filter(i -> imageId.equals(i.parent())).toList();
  }

  /** The ids of the account's images that other images of the account were made from (one pass). */
  public Set<String> parents(String account) {
    Set<String> out = new HashSet<>();
    list(account)
        .forEach(
            i -> {
              if (i.parent() != null) {
                out.add(i.parent());
              }
            });
    return out;
  }

  /** Whether the account has the image (tagged or not). */
  public boolean owns(String account, String imageId) {
    return owned.getOrDefault(account, Set.of()).contains(imageId);
  }

  /** The account gives up an image (its last tag removed by rmi, or an untagged one removed). */
  public void disown(String account, String imageId) throws IOException {
    Runnable shared;
    synchronized (this) {
      disownRecord(account, imageId);
      shared = changes.apply(new Change("disown", account, null, imageId, null));
    }
    shared.run();
  }

  private void disownRecord(String account, String imageId) throws IOException {
    Set<String> mine = owned.get(account);
    if (mine != null && mine.remove(imageId)) {
      writeOwned();
    }
  }

  /**
   * Tags an image of the account with another reference (moving the tag if it named another image).
   */
  public void tag(String account, ImageRecord image, ImageReference ref) throws IOException {
    String repoTag = ref.familiarName() + ":" + ref.tag();
    Runnable shared;
    synchronized (this) {
      tagRecord(account, image.id(), repoTag);
      shared = changes.apply(new Change("tag", account, null, image.id(), repoTag));
    }
    shared.run();
  }

  private void tagRecord(String account, String imageId, String repoTag) throws IOException {
    if (!images.containsKey(imageId)) {
      return; // an image this front end does not have (yet): its add brings the tag
    }
    tags.computeIfAbsent(account, a -> new ConcurrentHashMap<>()).put(repoTag, imageId);
    write(root.resolve("tags.json"), Json.bytes(new TreeMap<>(tags)));
    if (own(account, imageId)) {
      writeOwned();
    }
  }

  /** Removes one of the account's tags ("repo:tag"); whether it existed. */
  public boolean untag(String account, String repoTag) throws IOException {
    Runnable shared;
    synchronized (this) {
      if (!untagRecord(account, repoTag)) {
        return false;
      }
      shared = changes.apply(new Change("untag", account, null, null, repoTag));
    }
    shared.run();
    return true;
  }

  private boolean untagRecord(String account, String repoTag) throws IOException {
    Map<String, String> mine = tags.get(account);
    if (mine == null || mine.remove(repoTag) == null) {
      return false;
    }
    write(root.resolve("tags.json"), Json.bytes(new TreeMap<>(tags)));
    return true;
  }

  /** Whether any account still has the image, tagged or not. */
  public boolean held(String imageId) {
    return owned.values().stream().anyMatch(m -> m.contains(imageId));
  }

  /**
   * Forgets an image no account has any more and frees its blobs that no other image uses (the
   * config, and each layer stored once however many images share it).
   */
  public void delete(ImageRecord image) throws IOException {
    Runnable shared;
    synchronized (this) {
      if (held(image.id())) {
        throw DockerException.conflict("image %s is still held by an account", image.id());
      }
      deleteRecord(image);
      shared = changes.apply(new Change("delete", null, null, image.id(), null));
    }
    shared.run();
  }

  private void deleteRecord(ImageRecord image) throws IOException {
    images.remove(image.id());
    Files.deleteIfExists(root.resolve("images").resolve(image.id().substring(7) + ".json"));
    Set<String> stillUsed = new HashSet<>();
    images
        .values()
        .forEach(
            i -> {
              stillUsed.add(i.id());
              i.layers().forEach(l -> stillUsed.add(l.digest()));
            });
    List<String> mine = new ArrayList<>(List.of(image.id()));
    image.layers().forEach(l -> mine.add(l.digest()));
    for (String d : mine) {
      if (!stillUsed.contains(d)) {
        Files.deleteIfExists(blobs.path(d));
      }
    }
  }

  /** Each account's tags ("repo:tag" → image id), for a front end that starts. */
  public synchronized Map<String, Map<String, String>> allTags() {
    Map<String, Map<String, String>> out = new TreeMap<>();
    tags.forEach((k, v) -> out.put(k, new TreeMap<>(v)));
    return out;
  }

  /** Each account's images, for a front end that starts. */
  public synchronized Map<String, List<String>> allOwned() {
    Map<String, List<String>> out = new TreeMap<>();
    owned.forEach((k, v) -> out.put(k, v.stream().sorted().toList()));
    return out;
  }

  /** Every image record, tagged by anyone or not. */
  public List<ImageRecord> all() {
    return List.copyOf(images.values());
  }

  /** The image's config JSON, from the blob store. */
  public JsonNode config(ImageRecord image) {
    try {
      return Json.MAPPER.readTree(blobs.read(image.id()));
    } catch (IOException e) {
      throw DockerException.internal("reading config of image %s: %s", image.id(), e.getMessage());
    }
  }
}
