package dev.finch.soci.rpull;

import dev.finch.soci.oci.Descriptor;

/** Progress of a {@link RemotePull}, for the CLI's nerdctl-style lines. */
public interface PullListener {
  /** The reference resolved to {@code top} (an index or a manifest). */
  default void resolved(String ref, Descriptor top) {}

  /** A manifest, index or config blob is in containerd's content store. */
  default void stored(String kind, Descriptor blob) {}

  /** A layer is ready; {@code status} is {@link LayerStatus}. */
  default void layer(Descriptor layer, LayerStatus status) {}

  /** How a layer became available. */
  enum LayerStatus {
    /** Its snapshot existed before this pull. */
    EXISTS,
    /** The snapshotter prepared it itself (lazily or locally) and answered ALREADY_EXISTS. */
    REMOTE,
    /** Fetched from the registry and applied by containerd's diff service. */
    APPLIED
  }
}
