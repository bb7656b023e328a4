package dev.finch.soci.snapshot.overlay.storage;

import dev.finch.soci.snapshot.Info;
import dev.finch.soci.snapshot.Kind;
import dev.finch.soci.snapshot.Usage;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * One persisted snapshot row: what containerd's bolt store keeps in a snapshot bucket (id, kind,
 * parent name, labels, timestamps, usage). Immutable, so published store states can be shared with
 * concurrent readers.
 *
 * @param id numeric id, also the directory name under {@code snapshots/}; never reused
 * @param parent parent name or {@code ""}
 */
public record StoredSnapshot(
    long id,
    String name,
    Kind kind,
    String parent,
    Map<String, String> labels,
    Instant created,
    Instant updated,
    long size,
    long inodes) {
  public StoredSnapshot {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(kind, "kind");
    parent = parent == null ? "" : parent;
    labels = labels == null ? Map.of() : Map.copyOf(labels);
    Objects.requireNonNull(created, "created");
    Objects.requireNonNull(updated, "updated");
  }

  /** The id as containerd formats it ({@code strconv.FormatUint(id, 10)}). */
  public String idString() {
    return Long.toString(id);
  }

  /** The API view of this row (drops id and usage, which the Snapshots API returns separately). */
  public Info toInfo() {
    return new Info(name, parent, kind, labels, created, updated);
  }

  /** Usage recorded at commit time; zero for active, view and remote snapshots. */
  public Usage usage() {
    return new Usage(size, inodes);
  }
}
