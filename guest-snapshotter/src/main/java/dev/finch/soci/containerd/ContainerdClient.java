package dev.finch.soci.containerd;

import com.google.protobuf.Empty;
import dev.finch.soci.grpc.api.version.VersionGrpc;
import dev.finch.soci.grpc.api.version.VersionResponse;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A client for containerd's gRPC API over its unix socket, bound to one namespace and optionally
 * one lease. Every call carries the metadata {@code containerd-namespace} and, with a lease, {@code
 * containerd-lease}, exactly as containerd's own Go client sends them.
 *
 * <pre>{@code
 * try (ContainerdClient c = ContainerdClient.connect(Path.of("/run/containerd/containerd.sock"), "default")) {
 *   Image img = c.images().get("docker.io/library/busybox:latest");
 *   byte[] manifest = c.content().readAll(img.target().digest());
 * }
 * }</pre>
 *
 * <p>{@link #withNamespace} and {@link #withLease} return views sharing this connection; only the
 * client returned by {@link #connect} closes it. The connection is made lazily: an unreachable
 * socket shows up on the first call as a {@link ContainerdException} of kind UNAVAILABLE.
 */
public final class ContainerdClient implements AutoCloseable {
  /** gRPC metadata key carrying the namespace. */
  public static final String NAMESPACE_HEADER = "containerd-namespace";

  /** gRPC metadata key carrying the lease id. */
  public static final String LEASE_HEADER = "containerd-lease";

  /** containerd's default namespace. */
  public static final String DEFAULT_NAMESPACE = "default";

  private final Connection connection;
  private final boolean owner;
  private final String namespace;
  private final String lease;
  private final Rpc rpc;

  private ContainerdClient(Connection connection, boolean owner, String namespace, String lease) {
    this.connection = connection;
    this.owner = owner;
    this.namespace = Objects.requireNonNull(namespace, "namespace");
    this.lease = lease;
    Metadata md = new Metadata();
    md.put(Metadata.Key.of(NAMESPACE_HEADER, Metadata.ASCII_STRING_MARSHALLER), namespace);
    if (lease != null) {
      md.put(Metadata.Key.of(LEASE_HEADER, Metadata.ASCII_STRING_MARSHALLER), lease);
    }
    Channel ch =
        ClientInterceptors.intercept(
            connection.channel(), MetadataUtils.newAttachHeadersInterceptor(md));
    this.rpc = new Rpc(ch, connection.socket());
  }

  /**
   * Opens a client for {@code socket} (e.g. {@code /run/containerd/containerd.sock}) in {@code
   * namespace}.
   */
  public static ContainerdClient connect(Path socket, String namespace) {
    return new ContainerdClient(new Connection(socket), true, namespace, null);
  }

  /** A view of this connection in another namespace (without a lease). */
  public ContainerdClient withNamespace(String ns) {
    return new ContainerdClient(connection, false, ns, null);
  }

  /** A view whose calls all run under lease {@code leaseId} (see {@link LeaseManager}). */
  public ContainerdClient withLease(String leaseId) {
    return new ContainerdClient(connection, false, namespace, leaseId);
  }

  public String namespace() {
    return namespace;
  }

  /** The lease this view works under, or null. */
  public String lease() {
    return lease;
  }

  public Path socket() {
    return connection.socket();
  }

  /** The daemon's version; a cheap way to check that containerd answers. */
  public ContainerdVersion version() {
    return rpc.call(
        "containerd version",
        () -> {
          VersionResponse r =
              VersionGrpc.newBlockingStub(rpc.channel()).version(Empty.getDefaultInstance());
          return new ContainerdVersion(r.getVersion(), r.getRevision());
        });
  }

  public ContentClient content() {
    return new ContentClient(rpc);
  }

  public ImageStore images() {
    return new ImageStore(rpc);
  }

  public LeaseManager leases() {
    return new LeaseManager(rpc);
  }

  /** Snapshot calls against one snapshotter, e.g. {@code "overlayfs"} or {@code "soci"}. */
  public SnapshotClient snapshots(String snapshotter) {
    return new SnapshotClient(rpc, snapshotter);
  }

  /** Namespace management (calls are not scoped to {@link #namespace()}). */
  public NamespaceClient namespaces() {
    return new NamespaceClient(rpc);
  }

  public DiffClient diff() {
    return new DiffClient(rpc);
  }

  /**
   * Reads images (index, manifests, configs, layers) from the content store, for {@code soci
   * create}.
   */
  public ImageReader imageReader() {
    return new ImageReader(images(), content());
  }

  /** Closes the connection if this client opened it; views do nothing. */
  @Override
  public void close() {
    if (owner) {
      connection.close();
    }
  }
}
