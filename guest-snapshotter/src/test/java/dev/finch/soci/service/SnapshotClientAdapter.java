package dev.finch.soci.service;

import dev.finch.soci.containerd.ContainerdClient;
import dev.finch.soci.containerd.ContainerdException;
import dev.finch.soci.containerd.SnapshotClient;
import dev.finch.soci.containerd.SnapshotInfo;
import dev.finch.soci.snapshot.ErrorKind;
import dev.finch.soci.snapshot.Info;
import dev.finch.soci.snapshot.Kind;
import dev.finch.soci.snapshot.Mount;
import dev.finch.soci.snapshot.SnapshotException;
import dev.finch.soci.snapshot.Snapshotter;
import dev.finch.soci.snapshot.Usage;
import io.grpc.Status;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A {@link Snapshotter} whose every call crosses the wire through our own containerd client ({@link
 * SnapshotClient}), as containerd's proxy snapshotter calls a snapshotter plugin. A failed call
 * comes back the way containerd's {@code errdefs.FromGRPC} reads it: the status code is the error
 * kind, and the description without its trailing {@code ": <kind text>"} is the detail the kind is
 * appended to again, so messages arrive exactly as they left. Codes that are no snapshot error kind
 * become {@link IOException}s.
 *
 * <p>Prepare sends its namespace as containerd does ({@code containerd-namespace} metadata); every
 * other call runs in containerd's default namespace, which the service ignores.
 */
final class SnapshotClientAdapter implements Snapshotter {
  private final ContainerdClient client;
  private final String snapshotter;
  private final AutoCloseable server;

  /**
   * @param snapshotter the name sent in each request's {@code snapshotter} field
   * @param server closed after the client by {@link #close()}
   */
  SnapshotClientAdapter(Path socket, String snapshotter, AutoCloseable server) {
    this.client = ContainerdClient.connect(socket, ContainerdClient.DEFAULT_NAMESPACE);
    this.snapshotter = Objects.requireNonNull(snapshotter, "snapshotter");
    this.server = Objects.requireNonNull(server, "server");
  }

  private SnapshotClient snapshots() {
    return client.snapshots(snapshotter);
  }

  @Override
  public List<Mount> prepare(
      String key, String parent, Map<String, String> labels, String namespace) throws IOException {
    SnapshotClient inNamespace =
        client.withNamespace(namespace == null ? "" : namespace).snapshots(snapshotter);
    return call(() -> mounts(inNamespace.prepare(key, parent, labels)));
  }

  @Override
  public List<Mount> view(String key, String parent, Map<String, String> labels)
      throws IOException {
    return call(() -> mounts(snapshots().view(key, parent, labels)));
  }

  @Override
  public List<Mount> mounts(String key) throws IOException {
    return call(() -> mounts(snapshots().mounts(key)));
  }

  @Override
  public void commit(String name, String key, Map<String, String> labels) throws IOException {
    call(
        () -> {
          snapshots().commit(name, key, labels);
          return null;
        });
  }

  @Override
  public void remove(String key) throws IOException {
    call(
        () -> {
          snapshots().remove(key);
          return null;
        });
  }

  @Override
  public Info stat(String key) throws IOException {
    return info(call(() -> snapshots().stat(key)));
  }

  @Override
  public Info update(Info info, List<String> fieldpaths) throws IOException {
    return info(call(() -> snapshots().update(info.name(), info.labels(), fieldpaths)));
  }

  @Override
  public void walk(List<String> filters, Consumer<Info> fn) throws IOException {
    List<SnapshotInfo> all = call(() -> snapshots().list(filters.toArray(String[]::new)));
    for (SnapshotInfo i : all) {
      fn.accept(info(i));
    }
  }

  @Override
  public Usage usage(String key) throws IOException {
    SnapshotClient.Usage u = call(() -> snapshots().usage(key));
    return new Usage(u.size(), u.inodes());
  }

  @Override
  public void cleanup() throws IOException {
    call(
        () -> {
          snapshots().cleanup();
          return null;
        });
  }

  @Override
  public void close() throws IOException {
    client.close();
    try {
      server.close();
    } catch (IOException | RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IOException(e);
    }
  }

  private static <T> T call(Supplier<T> body) throws IOException {
    try {
      return body.get();
    } catch (ContainerdException e) {
      throw fromGrpc(e);
    }
  }

  /**
   * containerd's {@code errdefs.FromGRPC}: the code picks the kind, the description the detail.
   * Throws the {@link SnapshotException} of a snapshot error kind; returns any other failure as an
   * {@link IOException} for the caller to throw.
   */
  private static IOException fromGrpc(ContainerdException e) {
    ErrorKind kind =
        switch (e.kind()) {
          case NOT_FOUND -> ErrorKind.NOT_FOUND;
          case ALREADY_EXISTS -> ErrorKind.ALREADY_EXISTS;
          case FAILED_PRECONDITION -> ErrorKind.FAILED_PRECONDITION;
          case INVALID_ARGUMENT -> ErrorKind.INVALID_ARGUMENT;
          default -> null;
        };
    if (kind == null) {
      return new IOException(e.getMessage(), e);
    }
    String description = Status.fromThrowable(e.getCause()).getDescription();
    String suffix = ": " + kind.text();
    String detail = description == null ? "" : description;
    if (detail.endsWith(suffix)) {
      detail = detail.substring(0, detail.length() - suffix.length());
    }
    throw new SnapshotException(kind, detail);
  }

  private static List<Mount> mounts(List<dev.finch.soci.containerd.ContainerdMount> ms) {
    return ms.stream().map(m -> new Mount(m.type(), m.source(), m.options())).toList();
  }

  private static Info info(SnapshotInfo i) throws IOException {
    Kind kind =
        switch (i.kind()) {
          case VIEW -> Kind.VIEW;
          case ACTIVE -> Kind.ACTIVE;
          case COMMITTED -> Kind.COMMITTED;
          case UNKNOWN -> throw new IOException("snapshot " + i.name() + " has no kind");
        };
    return new Info(
        i.name(),
        i.parent(),
        kind,
        i.labels(),
        Objects.requireNonNullElse(i.createdAt(), Instant.EPOCH),
        Objects.requireNonNullElse(i.updatedAt(), Instant.EPOCH));
  }
}
