package dev.finch.soci.containerd;

import com.google.protobuf.FieldMask;
import dev.finch.soci.grpc.api.snapshots.CleanupRequest;
import dev.finch.soci.grpc.api.snapshots.CommitSnapshotRequest;
import dev.finch.soci.grpc.api.snapshots.ListSnapshotsRequest;
import dev.finch.soci.grpc.api.snapshots.MountsRequest;
import dev.finch.soci.grpc.api.snapshots.PrepareSnapshotRequest;
import dev.finch.soci.grpc.api.snapshots.RemoveSnapshotRequest;
import dev.finch.soci.grpc.api.snapshots.SnapshotsGrpc;
import dev.finch.soci.grpc.api.snapshots.StatSnapshotRequest;
import dev.finch.soci.grpc.api.snapshots.UpdateSnapshotRequest;
import dev.finch.soci.grpc.api.snapshots.UsageRequest;
import dev.finch.soci.grpc.api.snapshots.ViewSnapshotRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * containerd's Snapshots service for one snapshotter ({@code "overlayfs"}, or a proxy plugin such
 * as {@code "soci"}). containerd forwards these calls to the snapshotter, so this is also how tests
 * drive our own daemon the way containerd's unpacker does.
 */
public final class SnapshotClient {
  /** Disk usage of a snapshot. */
  public record Usage(long size, long inodes) {}

  private final Rpc rpc;
  private final String snapshotter;

  SnapshotClient(Rpc rpc, String snapshotter) {
    this.rpc = rpc;
    this.snapshotter = snapshotter;
  }

  public String snapshotter() {
    return snapshotter;
  }

  private SnapshotsGrpc.SnapshotsBlockingStub stub() {
    return SnapshotsGrpc.newBlockingStub(rpc.channel());
  }

  private String what(String op, String key) {
    return op + " snapshot \"" + key + "\" (" + snapshotter + ")";
  }

  /**
   * Creates active snapshot {@code key} on committed {@code parent} (empty for none) and returns
   * its mounts. ALREADY_EXISTS from a remote snapshotter means it prepared the target itself.
   */
  public List<ContainerdMount> prepare(String key, String parent, Map<String, String> labels) {
    var request =
        PrepareSnapshotRequest.newBuilder()
            .setSnapshotter(snapshotter)
            .setKey(key)
            .setParent(orNone(parent))
            .putAllLabels(labels)
            .build();
    return mountsCall("prepare", key, () -> stub().prepare(request).getMountsList());
  }

  /** Read-only view {@code key} of {@code parent}. */
  public List<ContainerdMount> view(String key, String parent, Map<String, String> labels) {
    var request =
        ViewSnapshotRequest.newBuilder()
            .setSnapshotter(snapshotter)
            .setKey(key)
            .setParent(orNone(parent))
            .putAllLabels(labels)
            .build();
    return mountsCall("view", key, () -> stub().view(request).getMountsList());
  }

  /** Mounts of an active snapshot or view. */
  public List<ContainerdMount> mounts(String key) {
    var request = MountsRequest.newBuilder().setSnapshotter(snapshotter).setKey(key).build();
    return mountsCall("mounts of", key, () -> stub().mounts(request).getMountsList());
  }

  /** One of the calls that answer mounts, named {@code op} on {@code key} in its errors. */
  private List<ContainerdMount> mountsCall(
      String op, String key, Supplier<List<dev.finch.soci.grpc.api.types.Mount>> call) {
    return rpc.call(what(op, key), () -> Protos.mounts(call.get()));
  }

  // The parent field is a string that proto3 cannot leave null; empty means "no parent".
  private static String orNone(String parent) {
    return parent == null ? "" : parent;
  }

  /** Commits active snapshot {@code key} as {@code name}. */
  public void commit(String name, String key, Map<String, String> labels) {
    rpc.run(
        what("commit", key) + " as \"" + name + "\"",
        () ->
            stub()
                .commit(
                    CommitSnapshotRequest.newBuilder()
                        .setSnapshotter(snapshotter)
                        .setName(name)
                        .setKey(key)
                        .putAllLabels(labels)
                        .build()));
  }

  public SnapshotInfo stat(String key) {
    return rpc.call(
        what("stat", key),
        () ->
            SnapshotInfo.fromProto(
                stub()
                    .stat(
                        StatSnapshotRequest.newBuilder()
                            .setSnapshotter(snapshotter)
                            .setKey(key)
                            .build())
                    .getInfo()));
  }

  /**
   * Updates the labels of snapshot {@code name} selected by {@code fieldpaths} ({@code labels},
   * {@code labels.<key>}; none = all labels) from {@code labels}, and returns the snapshot as it is
   * now.
   */
  public SnapshotInfo update(String name, Map<String, String> labels, List<String> fieldpaths) {
    return rpc.call(
        what("update", name),
        () ->
            SnapshotInfo.fromProto(
                stub()
                    .update(
                        UpdateSnapshotRequest.newBuilder()
                            .setSnapshotter(snapshotter)
                            .setInfo(
                                dev.finch.soci.grpc.api.snapshots.Info.newBuilder()
                                    .setName(name)
                                    .putAllLabels(labels))
                            .setUpdateMask(FieldMask.newBuilder().addAllPaths(fieldpaths))
                            .build())
                    .getInfo()));
  }

  public void remove(String key) {
    rpc.run(
        what("remove", key),
        () ->
            stub()
                .remove(
                    RemoveSnapshotRequest.newBuilder()
                        .setSnapshotter(snapshotter)
                        .setKey(key)
                        .build()));
  }

  /** Snapshots matching any filter; all if none. */
  public List<SnapshotInfo> list(String... filters) {
    return rpc.call(
        "list snapshots (" + snapshotter + ")",
        () -> {
          List<SnapshotInfo> out = new ArrayList<>();
          stub()
              .list(
                  ListSnapshotsRequest.newBuilder()
                      .setSnapshotter(snapshotter)
                      .addAllFilters(List.of(filters))
                      .build())
              .forEachRemaining(
                  r -> r.getInfoList().forEach(i -> out.add(SnapshotInfo.fromProto(i))));
          return out;
        });
  }

  public Usage usage(String key) {
    return rpc.call(
        what("usage of", key),
        () -> {
          var r =
              stub()
                  .usage(UsageRequest.newBuilder().setSnapshotter(snapshotter).setKey(key).build());
          return new Usage(r.getSize(), r.getInodes());
        });
  }

  /** Asks the snapshotter to free what removed snapshots left behind. */
  public void cleanup() {
    rpc.run(
        "cleanup (" + snapshotter + ")",
        () -> stub().cleanup(CleanupRequest.newBuilder().setSnapshotter(snapshotter).build()));
  }
}
