package dev.finch.soci.snapshot;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * containerd's snapshotter contract ({@code core/snapshots/snapshotter.go}) as a plain Java API,
 * served over gRPC by the Snapshots service adapter.
 *
 * <p>Typical use by containerd's unpacker: {@code prepare("extract-1 <chainID>", parentChainID,
 * {containerd.io/snapshot.ref: chainID, …})} returns mounts, containerd applies the layer diff into
 * them, then {@code commit(chainID, "extract-1 …")}. A remote snapshotter may instead answer the
 * prepare with {@link ErrorKind#ALREADY_EXISTS}, meaning "that chain ID is already available, skip
 * the download". A container rootfs is a {@code prepare} without the ref label; {@code view} gives
 * a read-only handle on a committed chain.
 *
 * <p>Keys are global to the snapshotter: containerd's metadata layer rewrites every client key to
 * {@code <namespace>/<seq>/<key>} before calling a proxy snapshotter, so no namespacing happens
 * here (see {@code package-info}). Failures are {@link SnapshotException}s with an {@link
 * ErrorKind}; I/O failures are {@link IOException}s. Implementations are thread-safe.
 */
public interface Snapshotter extends AutoCloseable {

  /** {@link #prepare(String, String, Map, String)} for a request that carries no namespace. */
  default List<Mount> prepare(String key, String parent, Map<String, String> labels)
      throws IOException {
    return prepare(key, parent, labels, "");
  }

  /**
   * Creates an active (writable) snapshot {@code key} on top of committed {@code parent} ({@code
   * ""} for none) and returns the mounts for it. With the {@code containerd.io/snapshot.ref} label
   * the snapshotter may prepare the layer itself and answer ALREADY_EXISTS instead.
   *
   * @param namespace the containerd namespace of the request ({@code ""} if unknown); recorded on
   *     remote snapshots so they can be re-mounted with the right credentials after a restart
   */
  List<Mount> prepare(String key, String parent, Map<String, String> labels, String namespace)
      throws IOException;

  /** Creates a read-only snapshot of committed {@code parent}; it can never be committed. */
  List<Mount> view(String key, String parent, Map<String, String> labels) throws IOException;

  /** Mounts of an existing active or view snapshot (committed ones are FAILED_PRECONDITION). */
  List<Mount> mounts(String key) throws IOException;

  /**
   * Freezes active snapshot {@code key} as committed snapshot {@code name}; {@code key} ceases to
   * exist. Labels are replaced by {@code labels}, not merged.
   */
  void commit(String name, String key, Map<String, String> labels) throws IOException;

  /**
   * Removes a snapshot from the metadata immediately. Its directory stays until {@link #cleanup()}
   * so that remove never blocks on deleting a large tree or unmounting a remote layer.
   */
  void remove(String key) throws IOException;

  /** Info for an active, view or committed snapshot. */
  Info stat(String key) throws IOException;

  /**
   * Updates the mutable part of {@code info} (labels) selected by {@code fieldpaths} ({@code
   * labels}, {@code labels.<key>}; none = all labels) and returns the result.
   */
  Info update(Info info, List<String> fieldpaths) throws IOException;

  /**
   * Calls {@code fn} for each snapshot matching any of {@code filters} (containerd filter syntax,
   * e.g. {@code labels."containerd.io/snapshot.ref"==sha256:…,parent==x}); none matches all. {@code
   * fn} may call back into the snapshotter.
   */
  void walk(List<String> filters, Consumer<Info> fn) throws IOException;

  /** Disk usage of the snapshot's own layer: live for active ones, recorded at commit otherwise. */
  Usage usage(String key) throws IOException;

  /** Deletes directories no longer referenced by metadata (removed snapshots, crash leftovers). */
  void cleanup() throws IOException;

  /** Releases resources; keeps all data, including remote mounts (the daemon owns those). */
  @Override
  void close() throws IOException;
}
