package dev.finch.soci.snapshot.overlay;

import dev.finch.soci.snapshot.DiskUsage;
import dev.finch.soci.snapshot.ErrorKind;
import dev.finch.soci.snapshot.Info;
import dev.finch.soci.snapshot.Kind;
import dev.finch.soci.snapshot.Mount;
import dev.finch.soci.snapshot.RemotePreparer;
import dev.finch.soci.snapshot.SnapshotException;
import dev.finch.soci.snapshot.SnapshotLabels;
import dev.finch.soci.snapshot.Snapshotter;
import dev.finch.soci.snapshot.Usage;
import dev.finch.soci.snapshot.overlay.storage.CrashPoint;
import dev.finch.soci.snapshot.overlay.storage.FaultHook;
import dev.finch.soci.snapshot.overlay.storage.Filters;
import dev.finch.soci.snapshot.overlay.storage.MetaStore;
import dev.finch.soci.snapshot.overlay.storage.Snapshot;
import dev.finch.soci.snapshot.overlay.storage.StoredSnapshot;
import dev.finch.soci.util.DurableFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * An overlayfs snapshotter with containerd's semantics (layout, ids, mounts, errors, asynchronous
 * remove) and soci's remote-snapshot Prepare: when containerd passes {@code
 * containerd.io/snapshot.ref}, the {@link RemotePreparer} may mount or unpack the layer, after
 * which the active snapshot is committed under the target name and the caller gets ALREADY_EXISTS.
 *
 * <p>Layout under {@code root} (soci uses {@code <soci root>/snapshotter}): {@code metadata.*} (see
 * {@link MetaStore}) and {@code snapshots/<id>/{fs,work}}.
 */
public final class OverlaySnapshotter implements Snapshotter {
  private static final Logger LOG = Logger.getLogger(OverlaySnapshotter.class.getName());

  /**
   * Construction parameters.
   *
   * @param root snapshotter root directory, created 0700 if missing
   * @param overlay mount option flavour and kernel features
   * @param remote the lazy-loading hook; {@link RemotePreparer#none()} for plain overlayfs
   * @param store metadata store tuning; its fault hook is also used for snapshotter crash points
   */
  public record Config(
      Path root, OverlayOptions overlay, RemotePreparer remote, MetaStore.Options store) {
    public Config {
      Objects.requireNonNull(root, "root");
      Objects.requireNonNull(overlay, "overlay");
      Objects.requireNonNull(remote, "remote");
      Objects.requireNonNull(store, "store");
    }

    /** containerd-flavoured mounts detected on this host, no remote layers, default store. */
    public static Config of(Path root) {
      return new Config(
          root, OverlayOptions.containerd(), RemotePreparer.none(), MetaStore.Options.DEFAULT);
    }

    /** Same config with other mount options (tests pin them to get host-independent strings). */
    public Config withOverlay(OverlayOptions o) {
      return new Config(root, o, remote, store);
    }

    /** Same config with the daemon's lazy-loading implementation plugged in. */
    public Config withRemote(RemotePreparer r) {
      return new Config(root, overlay, r, store);
    }

    /** Same config with other store tuning or a crash-simulation hook. */
    public Config withStore(MetaStore.Options s) {
      return new Config(root, overlay, remote, s);
    }
  }

  private final Config config;
  private final SnapshotDirs dirs;
  private final MetaStore ms;
  private final FaultHook hook;

  private OverlaySnapshotter(Config config, SnapshotDirs dirs, MetaStore ms) {
    this.config = config;
    this.dirs = dirs;
    this.ms = ms;
    this.hook = config.store().faultHook();
  }

  /**
   * Opens the snapshotter, recovering metadata after a crash. Ids of directories that exist on disk
   * but not in the metadata (a crash right after the rename in prepare) are reserved so they are
   * never handed out again; {@link #cleanup()} deletes those directories.
   */
  public static OverlaySnapshotter open(Config config) throws IOException {
    Path root = config.root();
    if (!Files.isDirectory(root)) {
      Files.createDirectories(root);
      Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwx------"));
    }
    SnapshotDirs dirs = new SnapshotDirs(root);
    dirs.ensureExists();
    MetaStore ms = MetaStore.open(root, config.store());
    try {
      long highest = dirs.highestNumericId();
      ms.inTransaction(
          true,
          tx -> {
            tx.reserveIdsBelow(highest + 1);
            return null;
          });
    } catch (IOException | RuntimeException e) {
      ms.close();
      throw e;
    }
    return new OverlaySnapshotter(config, dirs, ms);
  }

  @Override
  public List<Mount> prepare(
      String key, String parent, Map<String, String> labels, String namespace) throws IOException {
    Map<String, String> base = labels == null ? Map.of() : labels;
    String target = base.get(SnapshotLabels.TARGET_SNAPSHOT_REF);
    if (target != null && exists(target)) {
      // Another namespace (or an earlier pull) already produced this chain ID: nothing to create.
      throw targetExists(target);
    }
    Snapshot s = createSnapshot(Kind.ACTIVE, key, parent, base);
    if (target == null) {
      return mounts(s);
    }
    Map<String, String> commitLabels = new HashMap<>(base);
    if (namespace != null && !namespace.isEmpty()) {
      commitLabels.put(SnapshotLabels.TARGET_NAMESPACE, namespace);
    }
    RemotePreparer.Outcome outcome;
    try {
      outcome =
          Objects.requireNonNullElse(
              config.remote().tryPrepare(key, dirs.upper(s.id()), Map.copyOf(commitLabels)),
              new RemotePreparer.Defer("remote preparer returned no outcome"));
    } catch (IOException | RuntimeException e) {
      LOG.log(Level.WARNING, "remote prepare of " + key + " failed; deferring to containerd", e);
      outcome = new RemotePreparer.Defer(String.valueOf(e.getMessage()));
    }
    switch (outcome) {
      case RemotePreparer.Defer d -> {
        LOG.fine(() -> "prepare " + key + ": deferring to containerd: " + d.reason());
        return mounts(s);
      }
      case RemotePreparer.Remote r -> {
        commitLabels.put(SnapshotLabels.REMOTE, SnapshotLabels.REMOTE_VALUE);
        commitLabels.put(SnapshotLabels.HAS_SOCI_INDEX_DIGEST, "true");
        commitPrepared(target, key, commitLabels, true);
      }
      case RemotePreparer.Local l -> {
        commitLabels.put(SnapshotLabels.HAS_SOCI_INDEX_DIGEST, "true");
        commitPrepared(target, key, commitLabels, false);
      }
    }
    throw targetExists(target);
  }

  /**
   * Commits a remotely/locally prepared active snapshot under its target name. Losing a race to
   * another prepare of the same target counts as success (the target exists either way); the now
   * useless active snapshot is then removed and its directory left to {@link #cleanup()}, which
   * unmounts it first. Any other failure propagates and keeps the active snapshot, as soci does,
   * because the layer code has already worked on its directory.
   */
  private void commitPrepared(String target, String key, Map<String, String> labels, boolean remote)
      throws IOException {
    try {
      commitInternal(target, key, labels, remote);
    } catch (SnapshotException e) {
      if (e.kind() != ErrorKind.ALREADY_EXISTS) {
        throw e;
      }
      LOG.info(() -> "target " + target + " was committed concurrently; dropping " + key);
      ms.inTransaction(true, tx -> tx.remove(key));
    }
  }

  private static SnapshotException targetExists(String target) {
    return SnapshotException.alreadyExists("target snapshot \"" + target + "\"");
  }

  private boolean exists(String name) throws IOException {
    return ms.inTransaction(false, tx -> tx.find(name).isPresent());
  }

  @Override
  public List<Mount> view(String key, String parent, Map<String, String> labels)
      throws IOException {
    return mounts(createSnapshot(Kind.VIEW, key, parent, labels == null ? Map.of() : labels));
  }

  @Override
  public List<Mount> mounts(String key) throws IOException {
    Snapshot s;
    try {
      s = ms.inTransaction(false, tx -> tx.getSnapshot(key));
    } catch (SnapshotException e) {
      throw e.wrap("failed to get active mount");
    }
    return mounts(s);
  }

  @Override
  public void commit(String name, String key, Map<String, String> labels) throws IOException {
    commitInternal(name, key, labels == null ? Map.of() : labels, false);
  }

  /**
   * Measures usage outside the write transaction (a large layer takes long to scan and would block
   * every other writer), then commits if the key still names the same snapshot; if it was replaced
   * meanwhile the scan is repeated under the lock.
   */
  private void commitInternal(String name, String key, Map<String, String> labels, boolean remote)
      throws IOException {
    StoredSnapshot before = ms.inTransaction(false, tx -> tx.get(key));
    Usage measured = remote ? before.usage() : DiskUsage.of(dirs.upper(before.idString()));
    try {
      ms.inTransaction(
          true,
          tx -> {
            StoredSnapshot now = tx.get(key);
            Usage usage = measured;
            if (now.id() != before.id()) {
              usage = remote ? now.usage() : DiskUsage.of(dirs.upper(now.idString()));
            }
            return tx.commitActive(key, name, usage, labels);
          });
    } catch (SnapshotException e) {
      throw e.wrap("failed to commit snapshot " + key);
    }
  }

  @Override
  public void remove(String key) throws IOException {
    try {
      ms.inTransaction(true, tx -> tx.remove(key));
    } catch (SnapshotException e) {
      throw e.wrap("failed to remove snapshot " + key);
    }
  }

  @Override
  public Info stat(String key) throws IOException {
    return ms.inTransaction(false, tx -> tx.get(key).toInfo());
  }

  @Override
  public Info update(Info info, List<String> fieldpaths) throws IOException {
    return ms.inTransaction(true, tx -> tx.updateInfo(info, fieldpaths));
  }

  @Override
  public void walk(List<String> filters, Consumer<Info> fn) throws IOException {
    Filters.Filter filter = Filters.parseAll(filters);
    List<Info> matched = new ArrayList<>();
    ms.inTransaction(
        false,
        tx -> {
          tx.walk(filter, matched::add);
          return null;
        });
    matched.forEach(fn);
  }

  @Override
  public Usage usage(String key) throws IOException {
    StoredSnapshot s = ms.inTransaction(false, tx -> tx.get(key));
    if (s.kind() == Kind.ACTIVE) {
      return DiskUsage.of(dirs.upper(s.idString()));
    }
    return s.usage();
  }

  /**
   * Deletes every entry of {@code snapshots/} that no snapshot id refers to: removed snapshots,
   * {@code new-*} leftovers and directories orphaned by a crash. The scan runs under the write lock
   * so no prepare can be half-way; deletion runs after it, as containerd. A directory with a mount
   * below it is unmounted through the {@link RemotePreparer} first and skipped if that fails, so
   * cleanup never deletes through a mount.
   */
  @Override
  public void cleanup() throws IOException {
    List<String> orphans =
        ms.inTransaction(
            true,
            tx -> {
              Map<String, String> ids = tx.idMap();
              return dirs.list().stream().filter(d -> !ids.containsKey(d)).toList();
            });
    for (String d : orphans) {
      Path dir = dirs.snapshotsDir().resolve(d);
      try {
        if (unmountBelow(dir)) {
          SnapshotDirs.deleteRecursively(dir);
        }
      } catch (IOException e) {
        LOG.log(Level.WARNING, "failed to remove directory " + dir, e);
      }
    }
  }

  private boolean unmountBelow(Path dir) throws IOException {
    List<Path> mounted = MountTable.mountsUnder(dir);
    if (mounted.isEmpty()) {
      return true;
    }
    Path fs = dir.resolve("fs").toAbsolutePath().normalize();
    if (mounted.contains(fs)) {
      config.remote().unmount(fs);
    }
    List<Path> still = MountTable.mountsUnder(dir);
    if (!still.isEmpty()) {
      LOG.warning(() -> "not removing " + dir + ": still mounted at " + still);
      return false;
    }
    return true;
  }

  /**
   * Committed snapshots carrying {@code containerd.io/snapshot/remote}, which the daemon must
   * re-mount on start (soci's {@code restoreRemoteSnapshot}).
   */
  public List<RestorableSnapshot> remoteSnapshots() throws IOException {
    return ms.inTransaction(
        false,
        tx ->
            tx.all().stream()
                .filter(s -> s.kind() == Kind.COMMITTED)
                .filter(
                    s -> SnapshotLabels.REMOTE_VALUE.equals(s.labels().get(SnapshotLabels.REMOTE)))
                .map(
                    s ->
                        new RestorableSnapshot(
                            s.toInfo(),
                            s.idString(),
                            dirs.upper(s.idString()),
                            s.labels().getOrDefault(SnapshotLabels.TARGET_NAMESPACE, "")))
                .toList());
  }

  /**
   * Mount points below {@code snapshots/}: on start the daemon unmounts these (stale FUSE mounts of
   * the previous process) before re-mounting {@link #remoteSnapshots()}, as soci's {@code
   * restoreRemoteSnapshot} does.
   */
  public List<Path> mountsUnderSnapshots() throws IOException {
    return MountTable.mountsUnder(dirs.snapshotsDir());
  }

  /** The {@code fs} directory of any snapshot, e.g. for exporting a root to kubelet. */
  public Path upperPath(String key) throws IOException {
    return dirs.upper(ms.inTransaction(false, tx -> tx.get(key).idString()));
  }

  @Override
  public void close() throws IOException {
    ms.close();
  }

  /**
   * containerd's {@code createSnapshot}: directory built under {@code new-*}, metadata row
   * inserted, directory renamed to its id and the rename made durable, all inside one write
   * transaction. On failure both directories are removed; metadata is rolled back by the store.
   */
  private Snapshot createSnapshot(Kind kind, String key, String parent, Map<String, String> labels)
      throws IOException {
    Path[] temp = {null};
    Path[] placed = {null};
    try {
      return ms.inTransaction(
          true,
          tx -> {
            temp[0] = dirs.createTemp(kind);
            Snapshot s;
            try {
              s = tx.createSnapshot(kind, key, parent, labels);
            } catch (SnapshotException e) {
              throw e.wrap("failed to create snapshot");
            }
            if (!s.parentIds().isEmpty()) {
              dirs.copyOwner(dirs.upper(s.parentIds().getFirst()), temp[0].resolve("fs"));
            }
            Path path = dirs.dir(s.id());
            Files.move(temp[0], path);
            placed[0] = path;
            temp[0] = null;
            DurableFiles.syncDirectory(dirs.snapshotsDir());
            hook.reached(CrashPoint.AFTER_DIR_RENAME);
            return s;
          });
    } catch (IOException | RuntimeException e) {
      for (Path p : new Path[] {temp[0], placed[0]}) {
        if (p != null) {
          try {
            SnapshotDirs.deleteRecursively(p);
          } catch (IOException cleanupFailure) {
            e.addSuppressed(cleanupFailure);
          }
        }
      }
      throw e;
    }
  }

  /** containerd overlay's {@code mounts()} rules. */
  private List<Mount> mounts(Snapshot s) {
    if (s.parentIds().isEmpty()) {
      String ro = s.kind() == Kind.VIEW ? "ro" : "rw";
      return List.of(new Mount("bind", dirs.upper(s.id()).toString(), List.of(ro, "rbind")));
    }
    if (s.kind() != Kind.ACTIVE && s.parentIds().size() == 1) {
      return List.of(
          new Mount(
              "bind", dirs.upper(s.parentIds().getFirst()).toString(), List.of("ro", "rbind")));
    }
    List<String> lowers = s.parentIds().stream().map(id -> dirs.upper(id).toString()).toList();
    List<String> options =
        s.kind() == Kind.ACTIVE
            ? config
                .overlay()
                .options(dirs.work(s.id()).toString(), dirs.upper(s.id()).toString(), lowers)
            : config.overlay().options(null, null, lowers);
    return List.of(new Mount("overlay", "overlay", options));
  }
}
