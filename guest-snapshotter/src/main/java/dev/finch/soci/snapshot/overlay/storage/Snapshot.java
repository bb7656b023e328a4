package dev.finch.soci.snapshot.overlay.storage;

import dev.finch.soci.snapshot.Kind;
import java.util.List;

/**
 * What a snapshotter needs to compute mounts for an active or view snapshot, as containerd's {@code
 * storage.Snapshot}.
 *
 * @param id this snapshot's id (its directory name)
 * @param parentIds ids of the committed ancestors, <em>immediate parent first</em>, which is also
 *     the order overlayfs wants in {@code lowerdir=}
 */
public record Snapshot(String id, Kind kind, List<String> parentIds) {
  public Snapshot {
    parentIds = List.copyOf(parentIds);
  }
}
