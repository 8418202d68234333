package org.sdcdocker.frontend.cluster;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.AsyncMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.sdcdocker.protocol.DockerException;

/**
 * Placement across front ends, as Triton's allocation ticket: every front end's creates in flight
 * are counted, so that concurrent creates through several front ends never overbook a node. The
 * cluster's map {@code sdc.reservations} holds one ledger per node: the creates placed there and
 * not yet known to every front end (container id, account, memory, and when the entry lapses). A
 * placement is optimistic: the node is chosen with this front end's copy of the ledgers, then the
 * new entry goes into the chosen node's ledger by compare-and-set against that copy; when another
 * front end changed that ledger meanwhile, the set fails, the ledger is read again and the choice
 * is made again. A node is only ever booked against its ledger as it is in the cluster, so its
 * capacity holds; another node's copy can only be stale in what went away from it (a lapsed or
 * removed entry), which makes it look fuller than it is, never emptier. One round trip to the
 * cluster in the common case (a lock, a read of every entry, a put and an unlock before).
 *
 * <p>A refused create's entry goes at once; a made container's stays until every front end can know
 * it from the node's event (a front end that knows the container counts it as the node's, not as in
 * flight), until the container is destroyed, or for {@link #KNOWN_MS} at most; at the latest an
 * entry lapses with the create's timeout (a lapsed entry counts nowhere and goes with the ledger's
 * next change; an empty ledger is removed). In the embedded default the map is the JVM's own.
 */
final class Reservations {
  private static final String MAP = "sdc.reservations";

  /** Where each front end tells the others a ledger it changed: "cn\nledger". */
  private static final String CHANGED = "sdc.reservations.changed";

  /** Compare-and-set attempts of one placement before the client is asked to try again. */
  private static final int TRIES = 20;

  /**
   * How long a made container's reservation outlives its create: the node's event reaches every
   * front end well within it (events are pushed at once; a node's list is read again every few
   * seconds).
   */
  static final long KNOWN_MS = 30_000;

  private final Vertx vertx;
  private final Placement placement;
  private final long ttlMs;

  /** This front end's copy of each node's ledger, as last read or written ("" for none). */
  private final Map<String, String> copies = new ConcurrentHashMap<>();

  Reservations(Vertx vertx, Placement placement, long ttlMs) {
    this.vertx = vertx;
    this.placement = placement;
    this.ttlMs = ttlMs;
    if (vertx.isClustered()) { // the others' changes, so that a set here seldom fails
      vertx
          .eventBus()
          .<String>consumer(
              CHANGED,
              m -> {
                int nl = m.body().indexOf('\n');
                if (nl > 0) {
                  copies.put(m.body().substring(0, nl), m.body().substring(nl + 1));
                }
              });
    }
  }

  /**
   * A ledger this front end set: its copy, and the others' (a copy can only be stale, not wrong).
   */
  private void changed(String cn, String ledger) {
    copies.put(cn, ledger);
    if (vertx.isClustered()) {
      vertx.eventBus().publish(CHANGED, cn + "\n" + ledger);
    }
  }

  /** Places a container ({@code choose}, with every front end's creates in flight counted). */
  Future<Placement.Placed> place(String account, String id, Supplier<Placement.Placed> choose) {
    return map().compose(m -> attempt(m, account, id, choose, 0));
  }

  private Future<Placement.Placed> attempt(
      AsyncMap<String, String> m,
      String account,
      String id,
      Supplier<Placement.Placed> choose,
      int tries) {
    long now = System.currentTimeMillis();
    Placement.Placed placed;
    String before;
    synchronized (placement) { // one choice at a time on this front end
      placement.inFlight(inFlight(now));
      placed = choose.get();
      before = copies.getOrDefault(placed.cn(), "");
    }
    String cn = placed.cn();
    Map<String, Ledger.Entry> entries = Ledger.parse(before, now);
    entries.put(id, new Ledger.Entry(account, placed.spec().host().memory(), now + ttlMs));
    String after = Ledger.render(entries);
    Future<Boolean> set =
        before.isEmpty()
            ? m.putIfAbsent(cn, after).map(prior -> prior == null)
            : m.replaceIfPresent(cn, before, after);
    return set.recover(e -> Future.failedFuture(busy()))
        .compose(
            done -> {
              if (done) {
                changed(cn, after);
                return Future.succeededFuture(placed);
              }
              if (tries + 1 >= TRIES) {
                return Future.failedFuture(busy());
              }
              return reread(m, cn).compose(v -> attempt(m, account, id, choose, tries + 1));
            });
  }

  private static DockerException busy() {
    return DockerException.unavailable(
        "the compute nodes are busy placing other containers; try again");
  }

  /** Every front end's creates in flight as this one last saw them: id → "cn account memory". */
  private Map<String, String> inFlight(long now) {
    Map<String, String> out = new LinkedHashMap<>();
    copies.forEach(
        (cn, ledger) ->
            Ledger.parse(ledger, now)
                .forEach((id, e) -> out.put(id, cn + " " + e.account() + " " + e.memory())));
    return out;
  }

  private Future<Void> reread(AsyncMap<String, String> m, String cn) {
    return m.get(cn)
        .map(
            v -> {
              copies.put(cn, v == null ? "" : v);
              return (Void) null;
            });
  }

  /**
   * The create of a placed container was answered: a refused one's reservation goes; a made one's
   * stays a while, until every front end has the container in its index.
   */
  void answered(String cn, String id, boolean made) {
    long lapse = System.currentTimeMillis() + KNOWN_MS;
    change(cn, id, e -> made ? new Ledger.Entry(e.account(), e.memory(), lapse) : null);
  }

  /** The container is destroyed: its reservation, if this front end made one, goes. */
  void gone(String cn, String id) {
    if (copies.getOrDefault(cn, "").contains(id)) {
      change(cn, id, e -> null);
    }
  }

  /**
   * Changes one entry of a node's ledger (null: removes it), read again when another changed it.
   */
  private void change(String cn, String id, java.util.function.UnaryOperator<Ledger.Entry> how) {
    map().compose(m -> change(m, cn, id, how, 0)).otherwise(e -> null);
  }

  private Future<Void> change(
      AsyncMap<String, String> m,
      String cn,
      String id,
      java.util.function.UnaryOperator<Ledger.Entry> how,
      int tries) {
    long now = System.currentTimeMillis();
    String before = copies.getOrDefault(cn, "");
    Map<String, Ledger.Entry> entries = Ledger.parse(before, now);
    Ledger.Entry e = entries.get(id);
    if (e == null || before.isEmpty()) {
      return Future.succeededFuture(); // lapsed already
    }
    Ledger.Entry changed = how.apply(e);
    if (changed == null) {
      entries.remove(id);
    } else {
      entries.put(id, changed);
    }
    String after = Ledger.render(entries);
    Future<Boolean> set =
        after.isEmpty() ? m.removeIfPresent(cn, before) : m.replaceIfPresent(cn, before, after);
    return set.compose(
        done -> {
          if (done) {
            changed(cn, after);
            return Future.<Void>succeededFuture();
          }
          return tries + 1 >= TRIES
              ? Future.<Void>succeededFuture() // it lapses in time
              : reread(m, cn).compose(v -> change(m, cn, id, how, tries + 1));
        });
  }

  private Future<AsyncMap<String, String>> map() {
    return vertx.sharedData().getAsyncMap(MAP);
  }

  /** One node's ledger as the map holds it: a line per entry, "id account memory lapsesAt". */
  static final class Ledger {
    record Entry(String account, long memory, long lapsesAt) {}

    private Ledger() {}

    /** The entries not lapsed at {@code now}, in their order. */
    static Map<String, Entry> parse(String ledger, long now) {
      Map<String, Entry> out = new LinkedHashMap<>();
      for (String line : ledger.split("\n")) {
        String[] f = line.split(" ");
        if (f.length == 4) {
          long lapses = Long.parseLong(f[3]);
          if (lapses > now) {
            out.put(f[0], new Entry(f[1], Long.parseLong(f[2]), lapses));
          }
        }
      }
      return out;
    }

    static String render(Map<String, Entry> entries) {
      StringBuilder b = new StringBuilder();
      entries.forEach(
          (id, e) -> {
            if (b.length() > 0) {
              b.append('\n');
            }
            b.append(id)
                .append(' ')
                .append(e.account())
                .append(' ')
                .append(e.memory())
                .append(' ')
                .append(e.lapsesAt());
          });
      return b.toString();
    }
  }
}
