package dev.finch.soci.snapshot;

/**
 * Disk resources held by one snapshot's own layer (not its parents), as containerd's {@code
 * snapshots.Usage}: {@code size} is allocated bytes (st_blocks * 512, hard links counted once),
 * {@code inodes} the number of distinct inodes including the layer root.
 *
 * <p>Remote (lazily loaded) snapshots report zero, because their content lives in the registry and
 * scanning a FUSE mount would defeat lazy loading.
 */
public record Usage(long size, long inodes) {
  /** The usage of an empty or remote layer. */
  public static final Usage ZERO = new Usage(0, 0);
}
