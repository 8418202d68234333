package org.sdcdocker.frontend.image;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.internal.VertxInternal;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.sdcdocker.bus.Daemons;
import org.sdcdocker.bus.Tls;
import org.sdcdocker.protocol.DockerException;
import org.sdcdocker.protocol.agent.Addresses;
import org.sdcdocker.protocol.agent.FrontendEvents.ImageChange;
import org.sdcdocker.protocol.agent.FrontendEvents.ImageCopied;
import org.sdcdocker.protocol.agent.FrontendEvents.ImageState;
import org.sdcdocker.protocol.agent.FrontendEvents.ImageStateRequest;
import org.sdcdocker.protocol.agent.LayerRef;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every front end's image store holds the same images: a change one front end makes (pull, load,
 * import, commit, build, tag, untag, removal) is published to the others, which fetch the blobs of
 * an added image from its blob endpoint (each checked against its digest), make the same change and
 * say so; the request that made it answers once every other front end there is has made it (a
 * client's next request sees it through any front end, and an image reported made is not lost with
 * one front end). A front end that starts first copies a running one's images. Changes are applied
 * in the order each front end made them. In the embedded default nothing is sent anywhere else.
 */
public final class ImageReplica {
  private static final Logger LOG = LoggerFactory.getLogger(ImageReplica.class);

  private final Vertx vertx;
  private final ImageStore store;
  private final String blobSource;

  /** This front end, as the others know it: its member id in the cluster. */
  private final String origin;

  private final HttpClient http;

  /**
   * Where the other front ends' changes are made, one at a time in the order they came: a thread of
   * its own, outside Vert.x's queues, where a request of this front end that waits for the others
   * to make its own change (in the queue of its context) can never hold them up.
   */
  private final ExecutorService applying =
      Executors.newSingleThreadExecutor(Daemons.named("sdc-image-replica"));

  /**
   * Where a starting front end copies a running one's images: a thread of its own too, so that the
   * others' changes meanwhile are made (and answered) as they come, not after a copy that can take
   * minutes while the fleet's pulls, tags and removals waited for it.
   */
  private final ExecutorService copying =
      Executors.newSingleThreadExecutor(Daemons.named("sdc-image-copy"));

  /** {@code tls}: in a fleet, blobs come from the other front ends over TLS, as a member. */
  public ImageReplica(Vertx vertx, ImageStore store, String blobSource, Tls tls) {
    HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10));
    if (tls != null) {
      b.sslContext(tls.sslContext());
    }
    this.http = b.build();
    this.vertx = vertx;
    this.store = store;
    this.blobSource = blobSource;
    this.origin =
        vertx.isClustered()
            ? ((VertxInternal) vertx).clusterManager().getNodeId()
            : UUID.randomUUID().toString();
  }

  /**
   * Another front end left the cluster (killed, or cut off; {@code nodeId}: its member id): no
   * change this one made waits for it any more.
   */
  public void frontEndLeft(String nodeId) {
    if (peers.remove(nodeId) != null) {
      synchronized (awaited) {
        awaited.notifyAll();
      }
    }
  }

  /** When each other front end was last heard from (its copies), by its origin. */
  private final Map<String, Long> peers = new ConcurrentHashMap<>();

  /** The changes this front end made, by number, and the other front ends that made them too. */
  private final Map<Long, Set<String>> awaited = new ConcurrentHashMap<>();

  private final AtomicLong changes = new AtomicLong();

  /**
   * While this front end copies a running one's images (at its start): the images, ownerships
   * ("account own id") and tags ("account repo:tag") changed meanwhile, by its own clients or by
   * another front end's change it took, which that copy, taken before them, must not undo. Null
   * once the copy is done.
   */
  private volatile Set<String> changedDuringCopy = ConcurrentHashMap.newKeySet();

  private void changedMeanwhile(String kind, String account, String imageId, String repoTag) {
    Set<String> meanwhile = changedDuringCopy;
    if (meanwhile == null) {
      return;
    }
    if (imageId != null) {
      meanwhile.add(imageId);
      if (account != null && !kind.equals("tag") && !kind.equals("delete")) { // add, (dis)own
        meanwhile.add(owned(account, imageId));
      }
    }
    if (repoTag != null) {
      meanwhile.add(account + " " + repoTag);
    }
  }

  private static String owned(String account, String imageId) {
    return account + " own " + imageId;
  }

  private static final long PEER_BEAT_MS = 2000;
  private static final long PEER_STALE_NANOS = 7_000_000_000L;
  private static final long COPY_WAIT_MINUTES = 10;

  /**
   * Publishes this front end's changes, applies the others', and copies a running one's images;
   * completes once that copy is done (at once when no other front end runs; it never fails).
   */
  public Future<Void> start() {
    store.onChange(
        c -> {
          changedMeanwhile(c.kind(), c.account(), c.imageId(), c.repoTag());
          long seq = changes.incrementAndGet();
          awaited.put(seq, ConcurrentHashMap.newKeySet()); // before any other can answer
          vertx.eventBus().publish(Addresses.FRONTEND_IMAGES, wire(c, seq));
          return () -> awaitCopies(c, seq);
        });
    vertx.setPeriodic( // the first at once: the others wait for this one from now on
        1, PEER_BEAT_MS, t -> vertx.eventBus().publish(Addresses.FRONTEND_IMAGE_COPIES, beat()));
    vertx
        .eventBus()
        .<ImageCopied>consumer(
            Addresses.FRONTEND_IMAGE_COPIES,
            m -> {
              ImageCopied c = m.body();
              if (c.by().equals(origin)) {
                return;
              }
              peers.put(c.by(), System.nanoTime());
              if (origin.equals(c.origin())) {
                Set<String> made = awaited.get(c.seq());
                if (made != null) {
                  made.add(c.by());
                  synchronized (awaited) {
                    awaited.notifyAll();
                  }
                }
              }
            });
    vertx
        .eventBus()
        .<ImageChange>consumer(
            Addresses.FRONTEND_IMAGES,
            m -> {
              if (!origin.equals(m.body().origin())) {
                on(applying, () -> apply(m.body())) // in the order they were made
                    .onSuccess(v -> made(m.body()))
                    .onFailure(
                        e -> {
                          log("applying a " + m.body().kind() + " of", m.body(), e);
                          if (!m.body().kind().equals("add")) {
                            made(m.body()); // tried: its maker need not wait for it
                          } // an add this one could not copy: its maker waits for another's
                        });
              }
            });
    return copyFromAPeer(1)
        .onComplete( // none runs, or none answered: this one's images are the start
            ar -> {
              changedDuringCopy = null;
              vertx
                  .eventBus()
                  .<ImageStateRequest>consumer(
                      Addresses.FRONTEND_IMAGE_STATE,
                      m -> vertx.executeBlocking(this::state, false).onSuccess(m::reply));
            })
        .otherwiseEmpty();
  }

  private static final int COPY_TRIES = 5;

  /**
   * Ends the thread that makes the others' changes (the front end stops): what is queued is not.
   */
  public void close() {
    applying.shutdownNow();
    copying.shutdownNow();
  }

  /** Runs a task on {@code thread}, after those before it; its outcome on the caller's context. */
  private <T> Future<T> on(ExecutorService thread, Callable<T> task) {
    Context ctx = vertx.getOrCreateContext();
    Promise<T> done = Promise.promise();
    try {
      thread.execute(
          () -> {
            try {
              T result = task.call();
              ctx.runOnContext(v -> done.complete(result));
            } catch (Throwable e) {
              ctx.runOnContext(v -> done.fail(e));
            }
          });
    } catch (RejectedExecutionException closed) {
      done.fail(closed); // the front end is stopping
    }
    return done.future();
  }

  /**
   * Copies a running front end's images, when one runs (none answering at all is not a failure:
   * this one is the first); a failed copy is tried again, {@link #COPY_TRIES} times in all.
   */
  private Future<Void> copyFromAPeer(int attempt) {
    return vertx
        .eventBus()
        .<ImageState>request(
            Addresses.FRONTEND_IMAGE_STATE,
            new ImageStateRequest(),
            new DeliveryOptions().setSendTimeout(10_000))
        .compose(m -> on(copying, () -> copy(m.body())))
        .recover(
            e -> {
              if (e instanceof ReplyException r && r.failureType() == ReplyFailure.NO_HANDLERS) {
                return Future.succeededFuture(); // no other front end runs
              }
              LOG.warn(
                  "copying the images of a running front end failed (try {} of {}): {}",
                  attempt,
                  COPY_TRIES,
                  e.toString());
              if (attempt == COPY_TRIES) {
                LOG.warn("serving with the images copied so far ({})", copyProgress());
                return Future.succeededFuture();
              }
              return vertx.timer(2000).compose(t -> copyFromAPeer(attempt + 1));
            });
  }

  /** Tells the change's maker that this front end made it too. */
  private void made(ImageChange c) {
    if (c.seq() > 0) {
      vertx
          .eventBus()
          .publish(Addresses.FRONTEND_IMAGE_COPIES, new ImageCopied(c.origin(), c.seq(), origin));
    }
  }

  /** A beat that says this front end is there (it copies what others add). */
  private ImageCopied beat() {
    return new ImageCopied(null, 0, origin);
  }

  /**
   * Blocks until every other front end there is has made change {@code seq} this one made (for an
   * add: holds a copy of the image): the request that made it answers only then. Alone, there is
   * nothing to wait for; a front end that falls silent while this one waits (for {@link
   * #PEER_STALE_NANOS}) is no longer waited for; one that could not copy an image is waited for
   * until it can, or {@link #COPY_WAIT_MINUTES} at most.
   */
  private void awaitCopies(ImageStore.Change c, long seq) {
    Set<String> made = awaited.get(seq);
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(COPY_WAIT_MINUTES);
    try {
      synchronized (awaited) {
        while (true) {
          long now = System.nanoTime();
          peers.values().removeIf(at -> now - at > PEER_STALE_NANOS);
          if (made.containsAll(peers.keySet())) {
            return;
          }
          if (now > deadline) {
            throw c.kind().equals("add")
                ? DockerException.unavailable(
                    "another front end did not copy image %s within %d minutes; it may be kept"
                        + " here only",
                    c.imageId(), COPY_WAIT_MINUTES)
                : DockerException.unavailable(
                    "another front end did not make this %s within %d minutes; it may not show"
                        + " through every front end",
                    c.kind(), COPY_WAIT_MINUTES);
          }
          awaited.wait(1000); // woken by each answer; the peers are looked at again
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw DockerException.unavailable("interrupted waiting for the other front ends");
    } finally {
      awaited.remove(seq);
    }
  }

  private ImageChange wire(ImageStore.Change c, long seq) {
    ImageRecord i = c.image();
    return new ImageChange(
        origin,
        blobSource,
        c.kind(),
        c.account(),
        c.imageId(),
        i == null ? null : i.layers(),
        i == null ? null : i.repoDigests(),
        i == null ? 0 : i.size(),
        i == null ? null : i.created(),
        i == null ? null : i.parent(),
        c.repoTag(),
        seq);
  }

  /** Makes another front end's change here (package-private for the tests). Blocking. */
  Void apply(ImageChange c) throws IOException {
    ImageRecord image = null;
    if (c.kind().equals("add")) {
      fetch(c.blobSource(), c.imageId(), c.layers());
      image =
          new ImageRecord(
              c.imageId(), c.layers(), c.repoDigests(), c.size(), c.created(), c.parent());
    }
    synchronized (store) { // made and noted at once, for a copy that runs meanwhile
      store.apply(new ImageStore.Change(c.kind(), c.account(), image, c.imageId(), c.repoTag()));
      // made after the state a starting copy asked for, or arrived before it: newer than that state
      changedMeanwhile(c.kind(), c.account(), c.imageId(), c.repoTag());
    }
    return null;
  }

  /** What this front end has, for one that starts. */
  private ImageState state() {
    List<ImageChange> images = new ArrayList<>();
    for (ImageRecord i : store.all()) {
      images.add(wire(new ImageStore.Change("add", null, i, i.id(), null), 0));
    }
    return new ImageState(blobSource, images, store.allTags(), store.allOwned());
  }

  /**
   * A running front end's images, copied into this one's store; what this one kept on its disk and
   * the running one no longer has (removed, untagged while this one was away) goes, unless it was
   * made or changed here since this one asked (by a client of this front end, answered already, or
   * by another front end's change this one took). Images that containers here still use stay (the
   * store keeps them). Runs while the others' changes are made here: each step looks at what
   * changed meanwhile and makes its change under the store's lock, where this front end's own
   * changes and the others' are made and noted too.
   */
  Void copy(ImageState s) throws IOException { // package-private for the tests
    Set<String> keep = changedDuringCopy == null ? Set.of() : changedDuringCopy;
    Set<String> theirs = new HashSet<>();
    copyTotal = s.images().size();
    copyDone = 0;
    for (ImageChange i : s.images()) {
      theirs.add(i.imageId());
      if (!keep.contains(i.imageId())) { // added or removed here since: not brought back
        fetch(s.blobSource(), i.imageId(), i.layers());
        ImageRecord r =
            new ImageRecord(
                i.imageId(), i.layers(), i.repoDigests(), i.size(), i.created(), i.parent());
        unlessChanged(keep, r.id(), new ImageStore.Change("add", null, r, r.id(), null));
      }
      copyDone++;
    }
    for (Map.Entry<String, List<String>> o : s.owned().entrySet()) {
      for (String id : o.getValue()) {
        unlessChanged(
            keep, owned(o.getKey(), id), new ImageStore.Change("own", o.getKey(), null, id, null));
      }
    }
    for (Map.Entry<String, Map<String, String>> t : s.tags().entrySet()) {
      for (Map.Entry<String, String> tag : t.getValue().entrySet()) {
        unlessChanged( // a tag moved here since stays
            keep,
            t.getKey() + " " + tag.getKey(),
            new ImageStore.Change("tag", t.getKey(), null, tag.getValue(), tag.getKey()));
      }
    }
    for (Map.Entry<String, Map<String, String>> t : store.allTags().entrySet()) {
      Map<String, String> kept = s.tags().getOrDefault(t.getKey(), Map.of());
      for (String repoTag : t.getValue().keySet()) {
        if (!kept.containsKey(repoTag)) {
          unlessChanged(
              keep,
              t.getKey() + " " + repoTag,
              new ImageStore.Change("untag", t.getKey(), null, null, repoTag));
        }
      }
    }
    for (Map.Entry<String, List<String>> o : store.allOwned().entrySet()) {
      List<String> kept = s.owned().getOrDefault(o.getKey(), List.of());
      for (String id : o.getValue()) {
        if (!kept.contains(id)) {
          unlessChanged(
              keep,
              owned(o.getKey(), id),
              new ImageStore.Change("disown", o.getKey(), null, id, null));
        }
      }
    }
    for (ImageRecord mine : store.all()) {
      if (!theirs.contains(mine.id())) {
        unlessChanged(
            keep, mine.id(), new ImageStore.Change("delete", null, null, mine.id(), null));
      }
    }
    return null;
  }

  /**
   * Makes a change of the copy unless {@code what} changed here since the copy was asked for: the
   * look and the change under the store's lock, which every change made meanwhile also holds while
   * it is made and noted.
   */
  private void unlessChanged(Set<String> keep, String what, ImageStore.Change c)
      throws IOException {
    synchronized (store) {
      if (!keep.contains(what)) {
        store.apply(c);
      }
    }
  }

  /** How far a starting copy is: images done and in all (0 of 0 before it began). */
  private volatile int copyDone;

  private volatile int copyTotal;

  /** How far the copy of a running front end's images is, for the log; null once it is done. */
  public String copyProgress() {
    return changedDuringCopy == null ? null : copyDone + " of " + copyTotal + " images";
  }

  /** The image's config and layers this store lacks, fetched from another front end. */
  private void fetch(String source, String config, List<LayerRef> layers) throws IOException {
    List<String> digests = new ArrayList<>();
    digests.add(config);
    layers.forEach(l -> digests.add(l.digest()));
    BlobStore blobs = store.blobs();
    for (String d : digests) {
      if (!blobs.has(d)) {
        blobs.fetchOnce(d, () -> download(source, d));
      }
    }
  }

  private void download(String source, String digest) throws IOException {
    HttpRequest req =
        HttpRequest.newBuilder(URI.create(source + "/blobs/" + digest))
            .timeout(Duration.ofMinutes(10))
            .build();
    HttpResponse<InputStream> r;
    try {
      r = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted fetching " + digest);
    }
    try (InputStream in = r.body();
        BlobStore.Sink sink = store.blobs().open(digest)) {
      if (r.statusCode() != 200) {
        throw DockerException.unavailable(
            "blob %s is not at the front end that has the image (%d)", digest, r.statusCode());
      }
      sink.copy(in, n -> {});
      sink.commit(); // checks the digest
    }
  }

  private static void log(String what, ImageChange c, Throwable e) {
    LOG.warn("{} image {} from another front end failed: {}", what, c.imageId(), e.toString());
  }
}
