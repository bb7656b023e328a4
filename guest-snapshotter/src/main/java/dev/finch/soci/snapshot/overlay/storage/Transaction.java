package dev.finch.soci.snapshot.overlay.storage;

import dev.finch.soci.snapshot.Info;
import dev.finch.soci.snapshot.Kind;
import dev.finch.soci.snapshot.SnapshotException;
import dev.finch.soci.snapshot.Usage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The operations of containerd's {@code snapshots/storage} package ({@code GetInfo}, {@code
 * CreateSnapshot}, {@code CommitActive}, {@code Remove}, {@code UpdateInfo}, {@code WalkInfo},
 * {@code GetSnapshot}, {@code IDMap}) with the same rules and error categories, bound to one {@link
 * MetaStore} transaction.
 *
 * <p>A read-only transaction sees the last committed state and never blocks writers. A writable one
 * works on a private copy that becomes visible (and durable) only when the callback returns
 * normally. Instances must not escape the callback.
 */
public final class Transaction {
  private final MetaStore.State base;
  private final MetaStore store;
  private final boolean writable;
  private final NavigableMap<String, StoredSnapshot> rows;
  private final Set<String> changed = new LinkedHashSet<>();
  private boolean reservedIds;

  Transaction(MetaStore store, MetaStore.State base, boolean writable) {
    this.store = store;
    this.base = base;
    this.writable = writable;
    this.rows = writable ? new TreeMap<>(base.rows()) : base.rows();
  }

  /** The row for {@code key}, or NOT_FOUND {@code snapshot does not exist}. */
  public StoredSnapshot get(String key) {
    return find(key).orElseThrow(() -> SnapshotException.notFound("snapshot does not exist"));
  }

  /** The row for {@code key} if any, for existence checks that are not errors. */
  public Optional<StoredSnapshot> find(String key) {
    return Optional.ofNullable(rows.get(key));
  }

  /** Mount data for an active or view snapshot; committed snapshots are FAILED_PRECONDITION. */
  public Snapshot getSnapshot(String key) {
    StoredSnapshot s = get(key);
    if (s.kind() == Kind.COMMITTED) {
      throw SnapshotException.failedPrecondition(
          "requested snapshot " + key + " not active or view");
    }
    return new Snapshot(s.idString(), s.kind(), parentIds(s.parent()));
  }

  /**
   * Inserts an active or view snapshot. The parent, if any, must exist (NOT_FOUND) and be committed
   * (INVALID_ARGUMENT); the key must be new (ALREADY_EXISTS). Ids come from a store-wide counter
   * that never goes backwards, even when this transaction is rolled back.
   */
  public Snapshot createSnapshot(Kind kind, String key, String parent, Map<String, String> labels) {
    requireWritable();
    if (kind == Kind.COMMITTED) {
      throw SnapshotException.invalidArgument(
          "snapshot type Committed invalid; only snapshots of type Active or View can be created");
    }
    requireName(key);
    String p = parent == null ? "" : parent;
    if (!p.isEmpty()) {
      StoredSnapshot ps = rows.get(p);
      if (ps == null) {
        throw SnapshotException.notFound("missing parent \"" + p + "\" bucket");
      }
      if (ps.kind() != Kind.COMMITTED) {
        throw SnapshotException.invalidArgument("parent \"" + p + "\" is not committed snapshot");
      }
    }
    if (rows.containsKey(key)) {
      throw SnapshotException.alreadyExists("snapshot " + key);
    }
    long id = store.issueId();
    Instant now = Instant.now();
    put(new StoredSnapshot(id, key, kind, p, nonEmpty(labels), now, now, 0, 0));
    return new Snapshot(Long.toString(id), kind, p.isEmpty() ? List.of() : parentIds(p));
  }

  /**
   * Turns active snapshot {@code key} into committed snapshot {@code name}, keeping its id (and so
   * its directory). Labels are replaced, not inherited, and the timestamps restart, as containerd.
   */
  public String commitActive(String key, String name, Usage usage, Map<String, String> labels) {
    requireWritable();
    requireName(name);
    if (rows.containsKey(name)) {
      throw SnapshotException.alreadyExists("committed snapshot " + name);
    }
    StoredSnapshot active = rows.get(key);
    if (active == null) {
      throw SnapshotException.notFound("failed to get active snapshot \"" + key + "\"");
    }
    if (active.kind() != Kind.ACTIVE) {
      throw SnapshotException.failedPrecondition("snapshot \"" + key + "\" is not active");
    }
    Instant now = Instant.now();
    delete(key);
    put(
        new StoredSnapshot(
            active.id(),
            name,
            Kind.COMMITTED,
            active.parent(),
            nonEmpty(labels),
            now,
            now,
            usage.size(),
            usage.inodes()));
    return active.idString();
  }

  /** Deletes a row; a snapshot that is some other snapshot's parent is FAILED_PRECONDITION. */
  public StoredSnapshot remove(String key) {
    requireWritable();
    StoredSnapshot s = rows.get(key);
    if (s == null) {
      throw SnapshotException.notFound("snapshot " + key);
    }
    for (StoredSnapshot other : rows.values()) {
      if (other.parent().equals(key)) {
        throw SnapshotException.failedPrecondition("cannot remove snapshot with child");
      }
    }
    delete(key);
    return s;
  }

  /**
   * Updates labels, the only mutable field: {@code labels} replaces all, {@code labels.<k>} sets or
   * (with an empty/absent value) removes one key, no field paths replaces all; anything else is
   * INVALID_ARGUMENT. Empty label values are dropped, as containerd's {@code boltutil.WriteLabels}.
   */
  public Info updateInfo(Info info, List<String> fieldpaths) {
    requireWritable();
    StoredSnapshot s = rows.get(info.name());
    if (s == null) {
      throw SnapshotException.notFound("snapshot does not exist");
    }
    Map<String, String> labels = new HashMap<>(s.labels());
    if (fieldpaths.isEmpty()) {
      labels = new HashMap<>(info.labels());
    } else {
      for (String path : fieldpaths) {
        if (path.startsWith("labels.")) {
          String k = path.substring("labels.".length());
          labels.put(k, info.labels().getOrDefault(k, ""));
        } else if (path.equals("labels")) {
          labels = new HashMap<>(info.labels());
        } else {
          throw SnapshotException.invalidArgument(
              "cannot update \"" + path + "\" field on snapshot \"" + info.name() + "\"");
        }
      }
    }
    StoredSnapshot updated =
        new StoredSnapshot(
            s.id(),
            s.name(),
            s.kind(),
            s.parent(),
            nonEmpty(labels),
            s.created(),
            Instant.now(),
            s.size(),
            s.inodes());
    put(updated);
    return updated.toInfo();
  }

  /** Calls {@code fn} for every snapshot matching {@code filter}, in name order. */
  public void walk(Filters.Filter filter, Consumer<Info> fn) {
    for (StoredSnapshot s : List.copyOf(rows.values())) {
      Info info = s.toInfo();
      if (filter.match(Filters.adapt(info))) {
        fn.accept(info);
      }
    }
  }

  /** Every row, in name order. */
  public Collection<StoredSnapshot> all() {
    return Collections.unmodifiableCollection(rows.values());
  }

  /** Id (as a directory name) to snapshot name, for finding orphaned directories. */
  public Map<String, String> idMap() {
    Map<String, String> m = new LinkedHashMap<>();
    rows.values().forEach(s -> m.put(s.idString(), s.name()));
    return m;
  }

  /**
   * Guarantees every id issued from now on is at least {@code minNextId}; used on open so ids of
   * directories left behind by a crash are never handed out again.
   */
  public void reserveIdsBelow(long minNextId) {
    requireWritable();
    reservedIds |= store.reserveIdsBelow(minNextId);
  }

  boolean isWritable() {
    return writable;
  }

  boolean hasChanges() {
    return !changed.isEmpty() || reservedIds;
  }

  NavigableMap<String, StoredSnapshot> rows() {
    return rows;
  }

  List<StoredSnapshot> puts() {
    List<StoredSnapshot> out = new ArrayList<>();
    for (String k : changed) {
      StoredSnapshot s = rows.get(k);
      if (s != null) {
        out.add(s);
      }
    }
    return out;
  }

  List<String> deletes() {
    return changed.stream().filter(k -> !rows.containsKey(k)).toList();
  }

  MetaStore.State base() {
    return base;
  }

  private List<String> parentIds(String parent) {
    List<String> ids = new ArrayList<>();
    String p = parent;
    while (!p.isEmpty()) {
      StoredSnapshot ps = rows.get(p);
      if (ps == null) {
        throw SnapshotException.notFound("missing parent");
      }
      ids.add(ps.idString());
      p = ps.parent();
    }
    return ids;
  }

  private void put(StoredSnapshot s) {
    rows.put(s.name(), s);
    changed.add(s.name());
  }

  private void delete(String key) {
    rows.remove(key);
    changed.add(key);
  }

  /**
   * bbolt refuses empty bucket names; an empty key would also be indistinguishable from "no
   * parent".
   */
  private static void requireName(String name) {
    if (name == null || name.isEmpty()) {
      throw SnapshotException.invalidArgument("snapshot key or name must not be empty");
    }
  }

  private void requireWritable() {
    if (!writable) {
      throw new IllegalStateException("read-only transaction");
    }
  }

  private static Map<String, String> nonEmpty(Map<String, String> labels) {
    Map<String, String> out = new HashMap<>();
    if (labels != null) {
      labels.forEach(
          (k, v) -> {
            if (v != null && !v.isEmpty()) {
              out.put(k, v);
            }
          });
    }
    return out;
  }
}
