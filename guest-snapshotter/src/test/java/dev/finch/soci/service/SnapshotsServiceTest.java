package dev.finch.soci.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.FieldMask;
import dev.finch.soci.daemon.DaemonConfig;
import dev.finch.soci.daemon.JsonLog;
import dev.finch.soci.daemon.LogLevel;
import dev.finch.soci.daemon.Wiring;
import dev.finch.soci.grpc.api.snapshots.CleanupRequest;
import dev.finch.soci.grpc.api.snapshots.CommitSnapshotRequest;
import dev.finch.soci.grpc.api.snapshots.Info;
import dev.finch.soci.grpc.api.snapshots.Kind;
import dev.finch.soci.grpc.api.snapshots.ListSnapshotsRequest;
import dev.finch.soci.grpc.api.snapshots.ListSnapshotsResponse;
import dev.finch.soci.grpc.api.snapshots.MountsRequest;
import dev.finch.soci.grpc.api.snapshots.PrepareSnapshotRequest;
import dev.finch.soci.grpc.api.snapshots.RemoveSnapshotRequest;
import dev.finch.soci.grpc.api.snapshots.SnapshotsGrpc;
import dev.finch.soci.grpc.api.snapshots.StatSnapshotRequest;
import dev.finch.soci.grpc.api.snapshots.UpdateSnapshotRequest;
import dev.finch.soci.grpc.api.snapshots.UsageRequest;
import dev.finch.soci.grpc.api.snapshots.ViewSnapshotRequest;
import dev.finch.soci.grpc.api.types.Mount;
import dev.finch.soci.snapshot.RemotePreparer;
import dev.finch.soci.snapshot.SnapshotLabels;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.unix.DomainSocketAddress;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Snapshots service over its real transport (the daemon's unix socket, generated client stub)
 * without containerd: field mapping, status codes, namespace propagation, List batching and Update
 * field paths. Needs no root: nothing is mounted.
 */
class SnapshotsServiceTest {
  private static final String REF = "containerd.io/snapshot.ref";

  @TempDir Path tmp;
  private Wiring wiring;
  private Path socketDir;
  private EpollEventLoopGroup group;
  private ManagedChannel channel;
  private final Map<String, Map<String, String>> preparedLabels = new ConcurrentHashMap<>();

  /** Unpacks "locally" by writing one file, as a layer without a zTOC would be. */
  private final RemotePreparer localPreparer =
      new RemotePreparer() {
        @Override
        public Outcome tryPrepare(String key, Path fsDir, Map<String, String> labels)
            throws java.io.IOException {
          preparedLabels.put(key, labels);
          if (!labels.containsKey("test/unpack")) {
            return new Defer("not asked to");
          }
          Files.writeString(fsDir.resolve("unpacked.txt"), "x");
          return new Local();
        }

        @Override
        public void unmount(Path fsDir) {}
      };

  @BeforeEach
  void start() throws Exception {
    Path dir = Files.createTempDirectory(Path.of("/tmp"), "svc-");
    socketDir = dir;
    JsonLog log = new JsonLog(new PrintStream(new ByteArrayOutputStream()), LogLevel.ERROR);
    wiring =
        Wiring.start(
            new Wiring.Settings(
                tmp.resolve("root"),
                dir.resolve("s.sock"),
                DaemonConfig.defaults(),
                context -> localPreparer,
                log,
                null));
    group = new EpollEventLoopGroup(1);
    channel =
        NettyChannelBuilder.forAddress(new DomainSocketAddress(wiring.socket().toString()))
            .channelType(EpollDomainSocketChannel.class)
            .eventLoopGroup(group)
            .usePlaintext()
            .build();
  }

  @AfterEach
  void stop() {
    channel.shutdownNow();
    group.shutdownGracefully();
    wiring.close();
    dev.finch.testkit.MountCleaner.deleteTree(socketDir);
  }

  private SnapshotsGrpc.SnapshotsBlockingStub stub(String namespace) {
    Metadata md = new Metadata();
    md.put(Metadata.Key.of("containerd-namespace", Metadata.ASCII_STRING_MARSHALLER), namespace);
    return SnapshotsGrpc.newBlockingStub(
        ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(md)));
  }

  private static PrepareSnapshotRequest prepare(
      String key, String parent, Map<String, String> labels) {
    return PrepareSnapshotRequest.newBuilder()
        .setSnapshotter("soci")
        .setKey(key)
        .setParent(parent)
        .putAllLabels(labels)
        .build();
  }

  private static Status.Code code(Runnable r) {
    try {
      r.run();
    } catch (StatusRuntimeException e) {
      return e.getStatus().getCode();
    }
    return Status.Code.OK;
  }

  @Test
  void lifecycleOverTheWire() {
    var s = stub("ns1");
    List<Mount> base = s.prepare(prepare("ns1/1/a", "", Map.of())).getMountsList();
    assertThat(base).hasSize(1);
    assertThat(base.getFirst().getType()).isEqualTo("bind");
    assertThat(base.getFirst().getOptionsList()).containsExactly("rw", "rbind");
    s.commit(
        CommitSnapshotRequest.newBuilder()
            .setName("base")
            .setKey("ns1/1/a")
            .putLabels("l", "v")
            .build());
    Info info = s.stat(StatSnapshotRequest.newBuilder().setKey("base").build()).getInfo();
    assertThat(info.getKind()).isEqualTo(Kind.COMMITTED);
    assertThat(info.getLabelsMap()).containsEntry("l", "v");
    assertThat(info.getCreatedAt().getSeconds()).isPositive();

    List<Mount> child = s.prepare(prepare("ns1/2/b", "base", Map.of())).getMountsList();
    assertThat(s.mounts(MountsRequest.newBuilder().setKey("ns1/2/b").build()).getMountsList())
        .isEqualTo(child);
    List<Mount> view =
        s.view(ViewSnapshotRequest.newBuilder().setKey("v").setParent("base").build())
            .getMountsList();
    assertThat(view.getFirst().getOptionsList()).containsExactly("ro", "rbind");
    Info active = s.stat(StatSnapshotRequest.newBuilder().setKey("ns1/2/b").build()).getInfo();
    assertThat(active.getKind()).isEqualTo(Kind.ACTIVE);
    assertThat(active.getParent()).isEqualTo("base");
    assertThat(s.usage(UsageRequest.newBuilder().setKey("ns1/2/b").build()).getInodes())
        .isEqualTo(1);

    s.remove(RemoveSnapshotRequest.newBuilder().setKey("v").build());
    s.remove(RemoveSnapshotRequest.newBuilder().setKey("ns1/2/b").build());
    s.cleanup(CleanupRequest.newBuilder().build());
    assertThat(code(() -> s.stat(StatSnapshotRequest.newBuilder().setKey("v").build())))
        .isEqualTo(Status.Code.NOT_FOUND);
  }

  @Test
  void errorKindsBecomeTheirStatusCodes() {
    var s = stub("ns1");
    s.prepare(prepare("k", "", Map.of()));
    assertThat(code(() -> s.prepare(prepare("k", "", Map.of()))))
        .isEqualTo(Status.Code.ALREADY_EXISTS);
    assertThat(code(() -> s.stat(StatSnapshotRequest.newBuilder().setKey("nope").build())))
        .isEqualTo(Status.Code.NOT_FOUND);
    assertThat(code(() -> s.prepare(prepare("k2", "k", Map.of()))))
        .isEqualTo(Status.Code.INVALID_ARGUMENT);
    s.commit(CommitSnapshotRequest.newBuilder().setName("c").setKey("k").build());
    assertThat(code(() -> s.mounts(MountsRequest.newBuilder().setKey("c").build())))
        .isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(
            code(
                () ->
                    s.list(ListSnapshotsRequest.newBuilder().addFilters("labels.\"x").build())
                        .forEachRemaining(r -> {})))
        .isEqualTo(Status.Code.INVALID_ARGUMENT);
    StatusRuntimeException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            StatusRuntimeException.class,
            () -> s.stat(StatSnapshotRequest.newBuilder().setKey("nope").build()));
    assertThat(e.getStatus().getDescription()).endsWith("not found");
  }

  @Test
  void remotePrepareAnswersAlreadyExistsAndRecordsTheNamespace() {
    var s = stub("team-a");
    Map<String, String> labels = Map.of(REF, "sha256:chain1", "test/unpack", "yes");
    assertThatThrownBy(() -> s.prepare(prepare("team-a/3/extract-1 sha256:chain1", "", labels)))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.ALREADY_EXISTS));
    assertThat(preparedLabels.get("team-a/3/extract-1 sha256:chain1"))
        .containsEntry(SnapshotLabels.TARGET_NAMESPACE, "team-a");
    Info target =
        s.stat(StatSnapshotRequest.newBuilder().setKey("sha256:chain1").build()).getInfo();
    assertThat(target.getKind()).isEqualTo(Kind.COMMITTED);
    assertThat(target.getLabelsMap())
        .containsEntry(REF, "sha256:chain1")
        .containsEntry(SnapshotLabels.HAS_SOCI_INDEX_DIGEST, "true")
        .containsEntry(SnapshotLabels.TARGET_NAMESPACE, "team-a");
    // containerd finds the target by walking with exactly this filter.
    Iterator<ListSnapshotsResponse> it =
        s.list(
            ListSnapshotsRequest.newBuilder()
                .addFilters("labels.\"containerd.io/snapshot.ref\"==sha256:chain1,parent==\"\"")
                .build());
    List<Info> found = new ArrayList<>();
    it.forEachRemaining(r -> found.addAll(r.getInfoList()));
    assertThat(found).extracting(Info::getName).containsExactly("sha256:chain1");

    // Without the header the namespace is simply not recorded.
    var anonymous = SnapshotsGrpc.newBlockingStub(channel);
    assertThat(code(() -> anonymous.prepare(prepare("x", "", Map.of(REF, "sha256:chain2")))))
        .isEqualTo(Status.Code.OK);
    assertThat(preparedLabels.get("x")).doesNotContainKey(SnapshotLabels.TARGET_NAMESPACE);
  }

  @Test
  void listStreamsInBatchesOfAHundred() {
    var s = stub("ns");
    for (int i = 0; i < 250; i++) {
      s.prepare(prepare("k" + i, "", Map.of()));
    }
    List<Integer> sizes = new ArrayList<>();
    s.list(ListSnapshotsRequest.newBuilder().build())
        .forEachRemaining(r -> sizes.add(r.getInfoCount()));
    assertThat(sizes).containsExactly(100, 100, 50);
    List<Integer> filtered = new ArrayList<>();
    s.list(ListSnapshotsRequest.newBuilder().addFilters("name==k7").addFilters("name==k8").build())
        .forEachRemaining(r -> filtered.add(r.getInfoCount()));
    assertThat(filtered).containsExactly(2);
  }

  @Test
  void updateHonoursFieldPaths() {
    var s = stub("ns");
    s.prepare(prepare("k", "", Map.of("a", "1", "b", "2")));
    Info one =
        s.update(
                UpdateSnapshotRequest.newBuilder()
                    .setInfo(
                        Info.newBuilder().setName("k").putLabels("a", "10").putLabels("c", "3"))
                    .setUpdateMask(FieldMask.newBuilder().addPaths("labels.a"))
                    .build())
            .getInfo();
    assertThat(one.getLabelsMap()).containsExactlyInAnyOrderEntriesOf(Map.of("a", "10", "b", "2"));
    Info all =
        s.update(
                UpdateSnapshotRequest.newBuilder()
                    .setInfo(Info.newBuilder().setName("k").putLabels("z", "9"))
                    .setUpdateMask(FieldMask.newBuilder().addPaths("labels"))
                    .build())
            .getInfo();
    assertThat(all.getLabelsMap()).containsExactly(Map.entry("z", "9"));
    assertThat(
            code(
                () ->
                    s.update(
                        UpdateSnapshotRequest.newBuilder()
                            .setInfo(Info.newBuilder().setName("k"))
                            .setUpdateMask(FieldMask.newBuilder().addPaths("parent"))
                            .build())))
        .isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(
            code(
                () ->
                    s.update(
                        UpdateSnapshotRequest.newBuilder()
                            .setInfo(Info.newBuilder().setName("missing"))
                            .build())))
        .isEqualTo(Status.Code.NOT_FOUND);
  }
}
