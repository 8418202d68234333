package org.sdcdocker.frontend.account;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.sdcdocker.frontend.cluster.VersionedReplica;

/**
 * A tenant: its login (immutable; a client certificate's CN names it), whether it may provision
 * (create, pull, build, import, load, commit) and whether it is disabled, and the public keys its
 * certificates' keys must be one of. {@code updated} (ms) orders the versions front ends exchange;
 * a removed account is kept as a tombstone ({@code removed}) so that no stale copy brings it back.
 */
public record Account(
    String login,
    String uuid,
    String email,
    String created,
    boolean approved,
    boolean disabled,
    List<Key> keys,
    long updated,
    boolean removed)
    implements VersionedReplica.Versioned {
  @Override
  public String key() {
    return login;
  }

  /** A registered key: its name on the account, its type, fingerprints and OpenSSH line. */
  public record Key(
      String name, String type, String sha256, String md5, String openssh, String created) {}

  public Account {
    email = email == null ? "" : email;
    keys = keys == null ? List.of() : List.copyOf(keys);
  }

  Account approved(boolean a) {
    return new Account(login, uuid, email, created, a, disabled, keys, updated, removed);
  }

  Account disabled(boolean d) {
    return new Account(login, uuid, email, created, approved, d, keys, updated, removed);
  }

  Account keys(UnaryOperator<List<Key>> change) {
    return new Account(
        login,
        uuid,
        email,
        created,
        approved,
        disabled,
        change.apply(new ArrayList<>(keys)),
        updated,
        removed);
  }

  /** The same account as changed at {@code time} (ms), or its tombstone when {@code gone}. */
  Account at(long time, boolean gone) {
    return new Account(login, uuid, email, created, approved, disabled, keys, time, gone);
  }

  /** The key with that SHA-256 fingerprint, or null. */
  public Key keyBySha256(String sha256) {
    return keys.stream().filter(k -> k.sha256().equals(sha256)).findFirst().orElse(null);
  }
}
