package dev.finch.soci.snapshot;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * Metadata of one snapshot as containerd's {@code snapshots.Info} carries it over the Snapshots
 * gRPC API.
 *
 * <p>{@code name} is the key of an active/view snapshot or the name of a committed one. {@code
 * parent} is the parent's name or {@code ""} for a base layer; the empty string (rather than null)
 * mirrors the proto field so the gRPC adapter can copy it straight across. Labels are an immutable
 * copy.
 */
public record Info(
    String name,
    String parent,
    Kind kind,
    Map<String, String> labels,
    Instant created,
    Instant updated) {
  public Info {
    Objects.requireNonNull(name, "name");
    parent = parent == null ? "" : parent;
    Objects.requireNonNull(kind, "kind");
    labels = labels == null ? Map.of() : Map.copyOf(labels);
    Objects.requireNonNull(created, "created");
    Objects.requireNonNull(updated, "updated");
  }

  /** Info carrying only a name and labels, the shape callers pass to {@code update}. */
  public static Info forUpdate(String name, Map<String, String> labels) {
    return new Info(name, "", Kind.COMMITTED, labels, Instant.EPOCH, Instant.EPOCH);
  }
}
