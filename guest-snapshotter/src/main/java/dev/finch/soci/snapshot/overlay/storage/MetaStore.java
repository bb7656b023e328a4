package dev.finch.soci.snapshot.overlay.storage;

import dev.finch.soci.util.DurableFiles;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Collections;
import java.util.List;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Persistent, transactional snapshot metadata: the role containerd's bbolt-backed {@code
 * storage.MetaStore} plays for the overlay snapshotter.
 *
 * <p><b>Durability design.</b> The state lives in memory as an immutable sorted map. Each write
 * transaction appends one record with the final value of every row it touched to a write-ahead log
 * ({@code metadata.wal}) and fsyncs it before the new state is published; readers keep seeing the
 * previous state until then. Every {@link Options#checkpointEvery()} transactions the whole state
 * is written to {@code metadata.snap} (temp file, fsync, atomic rename, directory fsync) and the
 * log is replaced by an empty one. Opening loads the checkpoint and replays the log records whose
 * sequence number is newer, cutting off a torn last record.
 *
 * <p>Why a log rather than rewriting a full state file per transaction: with ~1000 snapshots the
 * state is ~0.5 MB, so 100 tx/s of full rewrites would be ~50 MB/s of fsynced writes, whereas a log
 * record is the size of the rows touched (~1 KB) and costs one fdatasync. Checkpoints keep replay
 * bounded. A crash at any instant leaves either the old or the new checkpoint plus a log whose
 * intact prefix is exactly the acknowledged transactions.
 *
 * <p>One writer at a time (like bbolt); readers never block. Ids are issued from a counter that
 * only grows, so an id is not reused even when the transaction that drew it rolls back.
 */
public final class MetaStore implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(MetaStore.class.getName());
  static final String CHECKPOINT = "metadata.snap";
  static final String LOG_FILE = "metadata.wal";
  static final String LOCK_FILE = "metadata.lock";

  /**
   * Tuning and test seams.
   *
   * @param checkpointEvery write a checkpoint after this many logged transactions
   * @param faultHook crash-simulation hook, {@link FaultHook#NONE} in production
   */
  public record Options(int checkpointEvery, FaultHook faultHook) {
    /** Production settings. */
    public static final Options DEFAULT = new Options(1024, FaultHook.NONE);

    public Options {
      if (checkpointEvery < 1) {
        throw new IllegalArgumentException("checkpointEvery must be >= 1");
      }
    }
  }

  /** A published state: never mutated after construction. */
  record State(long seq, long nextId, NavigableMap<String, StoredSnapshot> rows) {}

  /** Work done inside a transaction. */
  @FunctionalInterface
  public interface TxFunction<T> {
    T apply(Transaction tx) throws IOException;
  }

  private final Path dir;
  private final Options options;
  private final ReentrantLock writer = new ReentrantLock();
  private final FileChannel lockChannel;
  private final FileLock lock;
  private final WriteAheadLog log;
  private volatile State state;
  private long issuedNext;
  private int sinceCheckpoint;
  private volatile boolean closed;

  private MetaStore(
      Path dir,
      Options options,
      FileChannel lockChannel,
      FileLock lock,
      WriteAheadLog log,
      State state,
      int sinceCheckpoint) {
    this.dir = dir;
    this.options = options;
    this.lockChannel = lockChannel;
    this.lock = lock;
    this.log = log;
    this.state = state;
    this.issuedNext = state.nextId();
    this.sinceCheckpoint = sinceCheckpoint;
  }

  /** Opens with {@link Options#DEFAULT}: checkpoint every 1024 transactions, no fault hook. */
  public static MetaStore open(Path dir) throws IOException {
    return open(dir, Options.DEFAULT);
  }

  /**
   * Opens (creating if needed) the store in {@code dir}, recovering after a crash. Fails if another
   * store instance holds the directory, because two writers would interleave log records.
   */
  public static MetaStore open(Path dir, Options options) throws IOException {
    if (!Files.isDirectory(dir)) {
      Files.createDirectories(
          dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }
    FileChannel lockChannel =
        FileChannel.open(
            dir.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = lockChannel.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null;
    }
    if (lock == null) {
      lockChannel.close();
      throw new IOException("snapshot metadata in " + dir + " is in use by another store");
    }
    try {
      State state = readCheckpoint(dir.resolve(CHECKPOINT));
      WriteAheadLog.Replay replay = WriteAheadLog.open(dir.resolve(LOG_FILE), options.faultHook());
      if (replay.truncatedTail()) {
        LOG.warning(
            "snapshot metadata log had a torn last record (crash during a write); it was discarded");
      }
      int applied = 0;
      for (byte[] payload : replay.records()) {
        StoreCodec.LogRecord rec = StoreCodec.decode(payload, StoreCodec.LogRecord.class);
        if (rec.seq() <= state.seq()) {
          continue; // already contained in the checkpoint
        }
        if (rec.seq() != state.seq() + 1) {
          throw new IOException(
              "snapshot metadata log skips from transaction " + state.seq() + " to " + rec.seq());
        }
        state = apply(state, rec);
        applied++;
      }
      return new MetaStore(dir, options, lockChannel, lock, replay.log(), state, applied);
    } catch (IOException | RuntimeException e) {
      lock.release();
      lockChannel.close();
      throw e;
    }
  }

  /**
   * Runs {@code fn} in a transaction, containerd's {@code WithTransaction}. A read-only transaction
   * sees a consistent snapshot. A writable one is exclusive; if {@code fn} returns normally its
   * changes are logged durably and published, if it throws nothing is changed.
   */
  public <T> T inTransaction(boolean writable, TxFunction<T> fn) throws IOException {
    if (closed) {
      throw new IllegalStateException("metadata store is closed");
    }
    if (!writable) {
      return fn.apply(new Transaction(this, state, false));
    }
    writer.lock();
    try {
      if (closed) {
        throw new IllegalStateException("metadata store is closed");
      }
      Transaction tx = new Transaction(this, state, true);
      T result = fn.apply(tx);
      if (tx.hasChanges()) {
        commit(tx);
      }
      return result;
    } finally {
      writer.unlock();
    }
  }

  private void commit(Transaction tx) throws IOException {
    State base = tx.base();
    StoreCodec.LogRecord rec =
        new StoreCodec.LogRecord(base.seq() + 1, issuedNext, tx.puts(), tx.deletes());
    options.faultHook().reached(CrashPoint.BEFORE_LOG_APPEND);
    log.append(StoreCodec.encode(rec));
    state =
        new State(
            rec.seq(),
            rec.nextId(),
            Collections.unmodifiableNavigableMap(new TreeMap<>(tx.rows())));
    options.faultHook().reached(CrashPoint.AFTER_LOG_FSYNC);
    if (++sinceCheckpoint >= options.checkpointEvery()) {
      try {
        checkpoint();
      } catch (IOException | RuntimeException e) {
        // The transaction is already durable in the log; a later checkpoint will retry.
        LOG.log(Level.WARNING, "snapshot metadata checkpoint failed", e);
      }
    }
  }

  /** Writes the full state and empties the log. Runs under the writer lock. */
  private void checkpoint() throws IOException {
    State s = state;
    StoreCodec.CheckpointFile file =
        new StoreCodec.CheckpointFile(
            StoreCodec.FORMAT, s.seq(), s.nextId(), List.copyOf(s.rows().values()));
    DurableFiles.write(dir.resolve(CHECKPOINT), StoreCodec.encode(file));
    options.faultHook().reached(CrashPoint.AFTER_CHECKPOINT_RENAME);
    log.reset();
    sinceCheckpoint = 0;
  }

  /** Draws the next id; called by {@link Transaction} under the writer lock. */
  long issueId() {
    return issuedNext++;
  }

  boolean reserveIdsBelow(long minNextId) {
    if (minNextId > issuedNext) {
      issuedNext = minNextId;
      return true;
    }
    return false;
  }

  /**
   * Releases the files without writing anything, so closing is equivalent to the process exiting:
   * every acknowledged transaction is already durable.
   */
  @Override
  public void close() throws IOException {
    writer.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      try {
        log.close();
      } finally {
        lock.release();
        lockChannel.close();
      }
    } finally {
      writer.unlock();
    }
  }

  private static State readCheckpoint(Path file) throws IOException {
    if (!Files.exists(file)) {
      return new State(0, 1, Collections.unmodifiableNavigableMap(new TreeMap<>()));
    }
    StoreCodec.CheckpointFile cp =
        StoreCodec.decode(Files.readAllBytes(file), StoreCodec.CheckpointFile.class);
    if (cp.format() != StoreCodec.FORMAT) {
      throw new IOException("unsupported snapshot metadata format " + cp.format() + " in " + file);
    }
    TreeMap<String, StoredSnapshot> rows = new TreeMap<>();
    cp.snapshots().forEach(s -> rows.put(s.name(), s));
    return new State(cp.seq(), cp.nextId(), Collections.unmodifiableNavigableMap(rows));
  }

  private static State apply(State s, StoreCodec.LogRecord rec) {
    TreeMap<String, StoredSnapshot> rows = new TreeMap<>(s.rows());
    rec.delete().forEach(rows::remove);
    rec.put().forEach(r -> rows.put(r.name(), r));
    return new State(
        rec.seq(), Math.max(s.nextId(), rec.nextId()), Collections.unmodifiableNavigableMap(rows));
  }
}
