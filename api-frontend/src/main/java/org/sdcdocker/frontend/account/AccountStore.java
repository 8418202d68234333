package org.sdcdocker.frontend.account;

import io.vertx.core.Future;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.sdcdocker.frontend.cluster.VersionedReplica;
import org.sdcdocker.protocol.DockerException;

/**
 * The accounts a front end knows: in memory for every request, one file per account under {@code
 * accounts/} in its data root (written whole, then renamed), changed only by the operator through
 * the admin socket. The built-in account {@value #LOCAL} is what unix sockets and clear loopback
 * listeners act as: always there, approved, with no keys, and not changeable.
 */
public final class AccountStore implements VersionedReplica.Store<Account> {
  /** The local administrative account (the one implicit account before tenants). */
  public static final String LOCAL = "default";

  private static final String LOGIN = "[a-z][a-z0-9._-]{2,31}";
  private static final String KEY_NAME = "[A-Za-z0-9@._:+-]{1,64}";

  private final Path dir;
  private final Map<String, Account> byLogin = new ConcurrentHashMap<>();
  private final List<Runnable> onChange = new CopyOnWriteArrayList<>();
  private final VersionedReplica.OwnChanges<Account> own = new VersionedReplica.OwnChanges<>();

  private AccountStore(Path dir) {
    this.dir = dir;
  }

  /** Loads the accounts kept under {@code dir}. Blocking. */
  public static AccountStore load(Path dir) throws IOException {
    AccountStore s = new AccountStore(dir);
    for (Account a : RecordFiles.load(dir, Account.class)) {
      s.byLogin.put(a.login(), a);
    }
    return s;
  }

  /** Called after every change (the authenticator's cache is flushed). */
  public void onChange(Runnable r) {
    onChange.add(r);
  }

  /**
   * Completes once the last change of this account made here is in the fleet's map and every other
   * front end took it (at once in the embedded default); fails when the map could not take it.
   */
  public Future<Void> shared(String login) {
    return own.shared(login);
  }

  /** Called with each version this front end's operator made (for the other front ends). */
  @Override
  public void onOwnChange(Function<Account, Future<Void>> c) {
    own.add(c);
  }

  /**
   * Takes a version another front end made, when it is newer than this one's (a tombstone too).
   * Blocking. Whether it was taken.
   */
  @Override
  public synchronized boolean apply(Account remote) throws IOException {
    if (remote == null || LOCAL.equals(remote.login()) || !remote.login().matches(LOGIN)) {
      return false;
    }
    Account mine = byLogin.get(remote.login());
    if (mine != null && mine.updated() >= remote.updated()) {
      return false;
    }
    write(remote);
    return true;
  }

  /** Every version this front end holds, tombstones too (what it shares at its start). */
  @Override
  public List<Account> versions() {
    return List.copyOf(byLogin.values());
  }

  /** The account, or null. The local account always exists. */
  public Account find(String login) {
    if (LOCAL.equals(login)) {
      return new Account(LOCAL, LOCAL, "", "", true, false, List.of(), 0, false);
    }
    Account a = byLogin.get(login);
    return a == null || a.removed() ? null : a;
  }

  /** The account; 404 when there is none. */
  public Account get(String login) {
    Account a = find(login);
    if (a == null) {
      throw DockerException.notFound("no such account: %s", login);
    }
    return a;
  }

  /** Every account the operator made, by login. */
  public List<Account> list() {
    List<Account> out =
        new ArrayList<>(byLogin.values().stream().filter(a -> !a.removed()).toList());
    out.sort(Comparator.comparing(Account::login));
    return out;
  }

  /** Adds an account (not approved for provisioning unless {@code approved}). Blocking. */
  public synchronized Account add(String login, String email, boolean approved) throws IOException {
    if (login == null || !login.matches(LOGIN)) {
      throw DockerException.invalid(
          "invalid login %s: 3 to 32 of a-z, 0-9, '.', '_' and '-', starting with a letter", login);
    }
    if (find(login) != null) {
      throw DockerException.conflict("account %s exists", login);
    }
    // a login removed before may be made again: a new account (new uuid, no keys)
    Account a =
        new Account(
            login,
            UUID.randomUUID().toString(),
            email,
            Instant.now().toString(),
            approved,
            false,
            List.of(),
            0,
            false);
    return save(a);
  }

  public synchronized Account setApproved(String login, boolean approved) throws IOException {
    return save(changeable(login).approved(approved));
  }

  public synchronized Account setDisabled(String login, boolean disabled) throws IOException {
    return save(changeable(login).disabled(disabled));
  }

  /** Registers a key on an account under {@code name} (its comment, or key-N, when null). */
  public synchronized Account.Key addKey(String login, SshKey key, String name) throws IOException {
    Account a = changeable(login);
    if (a.keyBySha256(key.sha256()) != null) {
      throw DockerException.conflict(
          "account %s has the key %s already (%s)",
          login, key.sha256(), a.keyBySha256(key.sha256()).name());
    }
    boolean named = name != null && !name.isBlank();
    String n = named ? name : key.comment();
    if (!named && (!n.matches(KEY_NAME) || named(a, n))) {
      int i = a.keys().size() + 1;
      while (named(a, "key-" + i)) {
        i++;
      }
      n = "key-" + i;
    }
    if (!n.matches(KEY_NAME)) {
      throw DockerException.invalid("invalid key name %s: 1 to 64 of A-Z, a-z, 0-9 and @._:+-", n);
    }
    if (named(a, n)) {
      throw DockerException.conflict("account %s has a key named %s already", login, n);
    }
    Account.Key k =
        new Account.Key(
            n, key.type(), key.sha256(), key.md5(), key.openssh(), Instant.now().toString());
    save(
        a.keys(
            ks -> {
              ks.add(k);
              return ks;
            }));
    return k;
  }

  /** Removes a key, named by its name or either fingerprint. */
  public synchronized Account.Key removeKey(String login, String which) throws IOException {
    Account a = changeable(login);
    Account.Key k =
        a.keys().stream()
            .filter(
                x -> x.name().equals(which) || x.sha256().equals(which) || x.md5().equals(which))
            .findFirst()
            .orElseThrow(() -> DockerException.notFound("account %s has no key %s", login, which));
    save(
        a.keys(
            ks -> {
              ks.remove(k);
              return ks;
            }));
    return k;
  }

  /** Removes an account (the caller checked that it owns nothing, or removed what it owned). */
  public synchronized void remove(String login) throws IOException {
    Account a = changeable(login);
    Account gone = a.at(next(a), true);
    write(gone);
    own.made(gone);
  }

  private static boolean named(Account a, String name) {
    return a.keys().stream().anyMatch(k -> k.name().equals(name));
  }

  private Account changeable(String login) {
    if (LOCAL.equals(login)) {
      throw DockerException.forbidden(
          "the local account %s cannot be changed: it is what unix sockets act as", LOCAL);
    }
    return get(login);
  }

  private Account save(Account a) throws IOException {
    Account mine = byLogin.get(a.login());
    Account v = a.at(next(mine), false);
    write(v);
    own.made(v);
    return v;
  }

  /** A version time after the one held (clocks of front ends may differ a little). */
  private static long next(Account held) {
    return Math.max(System.currentTimeMillis(), held == null ? 0 : held.updated() + 1);
  }

  private void write(Account a) throws IOException {
    RecordFiles.write(dir, a.login(), a);
    byLogin.put(a.login(), a);
    onChange.forEach(Runnable::run);
  }
}
