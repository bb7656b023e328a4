package dev.finch.soci.containerd;

import com.google.protobuf.Empty;
import com.google.protobuf.Timestamp;
import dev.finch.soci.grpc.api.snapshots.CleanupRequest;
import dev.finch.soci.grpc.api.snapshots.CommitSnapshotRequest;
import dev.finch.soci.grpc.api.snapshots.Info;
import dev.finch.soci.grpc.api.snapshots.Kind;
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
import dev.finch.soci.grpc.api.types.Mount;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * An in-memory snapshotter served over a unix socket with our Snapshots declaration, registered in
 * containerd as a proxy plugin. It behaves like SOCI for prepares carrying {@code
 * containerd.io/snapshot.ref}: it commits the target itself and answers ALREADY_EXISTS.
 */
final class FakeProxySnapshotter extends SnapshotsGrpc.SnapshotsImplBase implements AutoCloseable {
  static final String TARGET_LABEL = "containerd.io/snapshot.ref";

  final Map<String, Info> snapshots = new ConcurrentHashMap<>();
  final List<String> calls = new CopyOnWriteArrayList<>();
  private final Path dir;
  private final EpollEventLoopGroup group = new EpollEventLoopGroup(1);
  private final Server server;

  FakeProxySnapshotter(Path socket, Path dir) throws IOException {
    this.dir = dir;
    this.server =
        NettyServerBuilder.forAddress(new DomainSocketAddress(socket.toString()))
            .channelType(EpollServerDomainSocketChannel.class)
            .bossEventLoopGroup(group)
            .workerEventLoopGroup(group)
            .addService(this)
            .build()
            .start();
  }

  @Override
  public void close() throws InterruptedException {
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  private static Timestamp now() {
    Instant i = Instant.now();
    return Timestamp.newBuilder().setSeconds(i.getEpochSecond()).setNanos(i.getNano()).build();
  }

  private Info create(String key, String parent, Kind kind, Map<String, String> labels) {
    return Info.newBuilder()
        .setName(key)
        .setParent(parent)
        .setKind(kind)
        .setCreatedAt(now())
        .setUpdatedAt(now())
        .putAllLabels(labels)
        .build();
  }

  private List<Mount> mounts(String key) {
    return List.of(
        Mount.newBuilder()
            .setType("bind")
            .setSource(dir.resolve(Integer.toHexString(key.hashCode())).toString())
            .addOptions("rbind")
            .addOptions("ro")
            .build());
  }

  @Override
  public void prepare(PrepareSnapshotRequest req, StreamObserver<PrepareSnapshotResponse> out) {
    calls.add(
        "prepare "
            + req.getKey()
            + " parent="
            + req.getParent()
            + " labels="
            + req.getLabelsMap().keySet());
    if (snapshots.containsKey(req.getKey())) {
      out.onError(
          Status.ALREADY_EXISTS
              .withDescription("snapshot " + req.getKey() + ": already exists")
              .asRuntimeException());
      return;
    }
    String target = req.getLabelsMap().get(TARGET_LABEL);
    if (target != null) {
      snapshots.put(target, create(target, req.getParent(), Kind.COMMITTED, req.getLabelsMap()));
      out.onError(
          Status.ALREADY_EXISTS
              .withDescription("target snapshot \"" + target + "\": already exists")
              .asRuntimeException());
      return;
    }
    snapshots.put(
        req.getKey(), create(req.getKey(), req.getParent(), Kind.ACTIVE, req.getLabelsMap()));
    out.onNext(PrepareSnapshotResponse.newBuilder().addAllMounts(mounts(req.getKey())).build());
    out.onCompleted();
  }

  @Override
  public void view(ViewSnapshotRequest req, StreamObserver<ViewSnapshotResponse> out) {
    calls.add("view " + req.getKey());
    snapshots.put(
        req.getKey(), create(req.getKey(), req.getParent(), Kind.VIEW, req.getLabelsMap()));
    out.onNext(ViewSnapshotResponse.newBuilder().addAllMounts(mounts(req.getKey())).build());
    out.onCompleted();
  }

  @Override
  public void mounts(MountsRequest req, StreamObserver<MountsResponse> out) {
    calls.add("mounts " + req.getKey());
    if (!snapshots.containsKey(req.getKey())) {
      out.onError(
          Status.NOT_FOUND
              .withDescription("snapshot " + req.getKey() + ": not found")
              .asRuntimeException());
      return;
    }
    out.onNext(MountsResponse.newBuilder().addAllMounts(mounts(req.getKey())).build());
    out.onCompleted();
  }

  @Override
  public void commit(CommitSnapshotRequest req, StreamObserver<Empty> out) {
    calls.add("commit " + req.getKey() + " as " + req.getName());
    Info active = snapshots.remove(req.getKey());
    if (active == null) {
      out.onError(
          Status.NOT_FOUND
              .withDescription("snapshot " + req.getKey() + ": not found")
              .asRuntimeException());
      return;
    }
    snapshots.put(
        req.getName(),
        active.toBuilder()
            .setName(req.getName())
            .setKind(Kind.COMMITTED)
            .putAllLabels(req.getLabelsMap())
            .build());
    out.onNext(Empty.getDefaultInstance());
    out.onCompleted();
  }

  @Override
  public void remove(RemoveSnapshotRequest req, StreamObserver<Empty> out) {
    calls.add("remove " + req.getKey());
    snapshots.remove(req.getKey());
    out.onNext(Empty.getDefaultInstance());
    out.onCompleted();
  }

  @Override
  public void stat(StatSnapshotRequest req, StreamObserver<StatSnapshotResponse> out) {
    calls.add("stat " + req.getKey());
    Info i = snapshots.get(req.getKey());
    if (i == null) {
      out.onError(
          Status.NOT_FOUND
              .withDescription("snapshot " + req.getKey() + ": not found")
              .asRuntimeException());
      return;
    }
    out.onNext(StatSnapshotResponse.newBuilder().setInfo(i).build());
    out.onCompleted();
  }

  @Override
  public void update(UpdateSnapshotRequest req, StreamObserver<UpdateSnapshotResponse> out) {
    calls.add("update " + req.getInfo().getName());
    Info updated =
        snapshots.computeIfPresent(
            req.getInfo().getName(),
            (k, i) ->
                i.toBuilder()
                    .putAllLabels(req.getInfo().getLabelsMap())
                    .setUpdatedAt(now())
                    .build());
    if (updated == null) {
      out.onError(Status.NOT_FOUND.asRuntimeException());
      return;
    }
    out.onNext(UpdateSnapshotResponse.newBuilder().setInfo(updated).build());
    out.onCompleted();
  }

  @Override
  public void list(ListSnapshotsRequest req, StreamObserver<ListSnapshotsResponse> out) {
    calls.add("list");
    out.onNext(ListSnapshotsResponse.newBuilder().addAllInfo(snapshots.values()).build());
    out.onCompleted();
  }

  @Override
  public void usage(UsageRequest req, StreamObserver<UsageResponse> out) {
    calls.add("usage " + req.getKey());
    out.onNext(UsageResponse.newBuilder().setSize(4096).setInodes(1).build());
    out.onCompleted();
  }

  @Override
  public void cleanup(CleanupRequest req, StreamObserver<Empty> out) {
    calls.add("cleanup");
    out.onNext(Empty.getDefaultInstance());
    out.onCompleted();
  }
}
