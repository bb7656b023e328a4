package dev.finch.soci.snapshot;

/**
 * The three states a snapshot can be in, as in containerd's {@code snapshots.Kind}.
 *
 * <p>Only {@link #ACTIVE} snapshots are writable and only {@link #COMMITTED} snapshots may be
 * parents; a {@link #VIEW} is a read-only handle on a committed chain that can never be committed.
 * The lower-case {@link #wireName()} is what containerd's filter language ({@code kind==active})
 * and its proto enum names use.
 */
public enum Kind {
  VIEW,
  ACTIVE,
  COMMITTED;

  /**
   * The name containerd uses in filters and logs: {@code view}, {@code active}, {@code committed}.
   */
  public String wireName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
