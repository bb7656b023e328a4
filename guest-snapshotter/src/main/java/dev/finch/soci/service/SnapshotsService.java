package dev.finch.soci.service;

import com.google.protobuf.Empty;
import dev.finch.soci.grpc.api.snapshots.CleanupRequest;
import dev.finch.soci.grpc.api.snapshots.CommitSnapshotRequest;
import dev.finch.soci.grpc.api.snapshots.ListSnapshotsRequest;
import dev.finch.soci.grpc.api.snapshots.ListSnapshotsResponse;
import dev.finch.soci.grpc.api.snapshots.MountsRequest;
import dev.finch.soci.grpc.api.snapshots.MountsResponse;
import dev.finch.soci.grpc.api.snapshots.PrepareSnapshotRequest;
import dev.finch.soci.grpc.api.snapshots.PrepareSnapshotResponse;
import dev.finch.soci.grpc.api.snapshots.RemoveSnapshotRequest;
import dev.finch.soci.grpc.api.snapshots.SnapshotsGrpc;
import dev.finch.soci.grpc.api.snapshots.StatSnapshotRequest;
import dev.finch.soci.grpc.api.snapshots.StatSnapshotResponse;
import dev.finch.soci.grpc.api.snapshots.UpdateSnapshotRequest;
import dev.finch.soci.grpc.api.snapshots.UpdateSnapshotResponse;
import dev.finch.soci.grpc.api.snapshots.UsageRequest;
import dev.finch.soci.grpc.api.snapshots.UsageResponse;
import dev.finch.soci.grpc.api.snapshots.ViewSnapshotRequest;
import dev.finch.soci.grpc.api.snapshots.ViewSnapshotResponse;
import dev.finch.soci.snapshot.Info;
import dev.finch.soci.snapshot.Snapshotter;
import dev.finch.soci.snapshot.Usage;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * containerd's {@code containerd.services.snapshots.v1.Snapshots} service on top of a {@link
 * Snapshotter}: what containerd's {@code contrib/snapshotservice.FromSnapshotter} does for soci.
 * The request's {@code snapshotter} field is ignored (containerd names the proxy plugin there; one
 * daemon serves one snapshotter). Must be registered behind a {@link NamespaceInterceptor}, whose
 * namespace Prepare records on remote snapshots.
 *
 * <p>Errors leave as statuses chosen by {@link StatusMapping}. List streams {@value #LIST_BATCH}
 * infos per message, as containerd's service does, so a large store never exceeds the message size
 * limit.
 */
public final class SnapshotsService extends SnapshotsGrpc.SnapshotsImplBase {
  /** Infos per List response message. */
  static final int LIST_BATCH = 100;

  private static final Logger LOG = Logger.getLogger(SnapshotsService.class.getName());

  private final Snapshotter snapshotter;

  public SnapshotsService(Snapshotter snapshotter) {
    this.snapshotter = Objects.requireNonNull(snapshotter, "snapshotter");
  }

  /** A call body that may fail with any snapshotter error. */
  @FunctionalInterface
  private interface Body<T> {
    T run() throws Exception;
  }

  private static <T> void unary(String op, String key, StreamObserver<T> out, Body<T> body) {
    T result;
    try {
      result = body.run();
    } catch (Exception e) {
      Level level =
          e instanceof dev.finch.soci.snapshot.SnapshotException ? Level.FINE : Level.WARNING;
      LOG.log(
          level, op + " " + key + " failed: " + e.getMessage(), level == Level.WARNING ? e : null);
      out.onError(StatusMapping.toStatus(e));
      return;
    }
    out.onNext(result);
    out.onCompleted();
  }

  @Override
  public void prepare(PrepareSnapshotRequest req, StreamObserver<PrepareSnapshotResponse> out) {
    String ns = NamespaceInterceptor.current();
    unary(
        "prepare",
        req.getKey(),
        out,
        () ->
            PrepareSnapshotResponse.newBuilder()
                .addAllMounts(
                    ProtoInfo.toProto(
                        snapshotter.prepare(req.getKey(), req.getParent(), req.getLabelsMap(), ns)))
                .build());
  }

  @Override
  public void view(ViewSnapshotRequest req, StreamObserver<ViewSnapshotResponse> out) {
    unary(
        "view",
        req.getKey(),
        out,
        () ->
            ViewSnapshotResponse.newBuilder()
                .addAllMounts(
                    ProtoInfo.toProto(
                        snapshotter.view(req.getKey(), req.getParent(), req.getLabelsMap())))
                .build());
  }

  @Override
  public void mounts(MountsRequest req, StreamObserver<MountsResponse> out) {
    unary(
        "mounts",
        req.getKey(),
        out,
        () ->
            MountsResponse.newBuilder()
                .addAllMounts(ProtoInfo.toProto(snapshotter.mounts(req.getKey())))
                .build());
  }

  @Override
  public void commit(CommitSnapshotRequest req, StreamObserver<Empty> out) {
    unary(
        "commit",
        req.getKey(),
        out,
        () -> {
          snapshotter.commit(req.getName(), req.getKey(), req.getLabelsMap());
          return Empty.getDefaultInstance();
        });
  }

  @Override
  public void remove(RemoveSnapshotRequest req, StreamObserver<Empty> out) {
    unary(
        "remove",
        req.getKey(),
        out,
        () -> {
          snapshotter.remove(req.getKey());
          return Empty.getDefaultInstance();
        });
  }

  @Override
  public void stat(StatSnapshotRequest req, StreamObserver<StatSnapshotResponse> out) {
    unary(
        "stat",
        req.getKey(),
        out,
        () ->
            StatSnapshotResponse.newBuilder()
                .setInfo(ProtoInfo.toProto(snapshotter.stat(req.getKey())))
                .build());
  }

  @Override
  public void update(UpdateSnapshotRequest req, StreamObserver<UpdateSnapshotResponse> out) {
    unary(
        "update",
        req.getInfo().getName(),
        out,
        () -> {
          Info updated =
              snapshotter.update(
                  ProtoInfo.forUpdate(req.getInfo()), req.getUpdateMask().getPathsList());
          return UpdateSnapshotResponse.newBuilder().setInfo(ProtoInfo.toProto(updated)).build();
        });
  }

  @Override
  public void list(ListSnapshotsRequest req, StreamObserver<ListSnapshotsResponse> out) {
    List<Info> all = new ArrayList<>();
    try {
      snapshotter.walk(req.getFiltersList(), all::add);
    } catch (Exception e) {
      LOG.log(Level.FINE, "list failed: " + e.getMessage());
      out.onError(StatusMapping.toStatus(e));
      return;
    }
    for (int i = 0; i < all.size(); i += LIST_BATCH) {
      ListSnapshotsResponse.Builder b = ListSnapshotsResponse.newBuilder();
      all.subList(i, Math.min(all.size(), i + LIST_BATCH))
          .forEach(info -> b.addInfo(ProtoInfo.toProto(info)));
      out.onNext(b.build());
    }
    out.onCompleted();
  }

  @Override
  public void usage(UsageRequest req, StreamObserver<UsageResponse> out) {
    unary(
        "usage",
        req.getKey(),
        out,
        () -> {
          Usage u = snapshotter.usage(req.getKey());
          return UsageResponse.newBuilder().setSize(u.size()).setInodes(u.inodes()).build();
        });
  }

  @Override
  public void cleanup(CleanupRequest req, StreamObserver<Empty> out) {
    unary(
        "cleanup",
        "",
        out,
        () -> {
          snapshotter.cleanup();
          return Empty.getDefaultInstance();
        });
  }
}
