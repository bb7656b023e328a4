package dev.finch.soci.containerd;

import dev.finch.soci.grpc.api.content.AbortRequest;
import dev.finch.soci.grpc.api.content.ContentGrpc;
import dev.finch.soci.grpc.api.content.DeleteContentRequest;
import dev.finch.soci.grpc.api.content.Info;
import dev.finch.soci.grpc.api.content.InfoRequest;
import dev.finch.soci.grpc.api.content.ListContentRequest;
import dev.finch.soci.grpc.api.content.ReadContentRequest;
import dev.finch.soci.grpc.api.content.UpdateRequest;
import dev.finch.soci.grpc.api.introspection.IntrospectionGrpc;
import dev.finch.soci.grpc.api.introspection.PluginsRequest;
import dev.finch.soci.oci.Digest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * containerd's content store, seen through one namespace (and lease, if the client has one).
 *
 * <p>Blobs written without a lease and without a reference from an image or a {@code
 * containerd.io/gc.root} label are eligible for garbage collection; {@code soci create} writes its
 * blobs under a lease and links them from the image with {@code containerd.io/gc.ref.content.*}
 * labels.
 */
public final class ContentClient {
  private final Rpc rpc;

  ContentClient(Rpc rpc) {
    this.rpc = rpc;
  }

  private ContentGrpc.ContentBlockingStub stub() {
    return ContentGrpc.newBlockingStub(rpc.channel());
  }

  /** Metadata of a committed blob; NOT_FOUND if the store (in this namespace) lacks it. */
  public ContentInfo info(Digest digest) {
    return rpc.call(
        "content info " + digest,
        () ->
            ContentInfo.fromProto(
                stub()
                    .info(InfoRequest.newBuilder().setDigest(digest.toString()).build())
                    .getInfo()));
  }

  /** {@link #info} or empty when the blob is absent. */
  public Optional<ContentInfo> find(Digest digest) {
    try {
      return Optional.of(info(digest));
    } catch (ContainerdException e) {
      if (e.is(ContainerdException.Kind.NOT_FOUND)) {
        return Optional.empty();
      }
      throw e;
    }
  }

  /** Sets the given labels, leaving others untouched. Returns the updated info. */
  public ContentInfo updateLabels(Digest digest, Map<String, String> labels) {
    return update(digest, labels, labels.keySet());
  }

  /** Removes the given label keys, leaving others untouched. */
  public ContentInfo removeLabels(Digest digest, Collection<String> keys) {
    return update(digest, Map.of(), keys);
  }

  private ContentInfo update(Digest digest, Map<String, String> labels, Collection<String> keys) {
    return rpc.call(
        "update labels of " + digest,
        () -> {
          Info info = Info.newBuilder().setDigest(digest.toString()).putAllLabels(labels).build();
          UpdateRequest req =
              UpdateRequest.newBuilder()
                  .setInfo(info)
                  .setUpdateMask(Protos.labelMask(keys))
                  .build();
          return ContentInfo.fromProto(stub().update(req).getInfo());
        });
  }

  /** The plug-in type of containerd's content store, whose {@code root} export we look for. */
  static final String CONTENT_PLUGIN = "io.containerd.content.v1";

  private volatile Optional<Path> root;

  /**
   * The file that holds a committed blob in containerd's own content store, when this process can
   * read it: containerd's content plug-in exports its root directory ({@code
   * Introspection.Plugins}), where a blob lives at {@code blobs/<algorithm>/<hex>}. Reading that
   * file costs neither side the gRPC stream (on a 644 MB layer, about a third of {@code soci
   * create}'s time). Empty when the daemon does not say, the blob is not in this namespace, or no
   * regular file of {@code size} bytes is there for us (containerd in another mount namespace,
   * say): then {@link #readBlob} is the way. Blobs are addressed by digest, so the file holds the
   * blob's bytes; like {@link #readBlob}, reading it does not check them.
   */
  public Optional<Path> localBlob(Digest digest, long size) {
    Optional<Path> dir = contentRoot();
    if (dir.isEmpty() || find(digest).isEmpty()) {
      return Optional.empty();
    }
    Path file = dir.get().resolve("blobs").resolve(digest.algorithm()).resolve(digest.hex());
    try {
      BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
      return a.isRegularFile() && a.size() == size && Files.isReadable(file)
          ? Optional.of(file)
          : Optional.empty();
    } catch (IOException | SecurityException e) {
      return Optional.empty();
    }
  }

  /** The content store's root directory as containerd exports it, asked once; empty if unsaid. */
  Optional<Path> contentRoot() {
    Optional<Path> r = root;
    if (r == null) {
      try {
        r =
            rpc.call(
                "list containerd's plug-ins",
                () ->
                    IntrospectionGrpc.newBlockingStub(rpc.channel())
                        .plugins(PluginsRequest.getDefaultInstance())
                        .getPluginsList()
                        .stream()
                        .filter(p -> p.getType().equals(CONTENT_PLUGIN))
                        .map(p -> p.getExportsOrDefault("root", ""))
                        .filter(s -> !s.isEmpty())
                        .map(Path::of)
                        .findFirst());
      } catch (ContainerdException e) {
        r = Optional.empty(); // an older or locked-down daemon: the blobs are streamed
      }
      root = r;
    }
    return r;
  }

  /**
   * Streams a blob. NOT_FOUND is thrown here, not on the first read; closing the stream early
   * cancels the call. Bytes are not verified; use {@link #readAll} for small blobs that must match
   * their digest.
   */
  public InputStream readBlob(Digest digest) {
    return ReadStream.open(
        rpc,
        ReadContentRequest.newBuilder().setDigest(digest.toString()).build(),
        "read " + digest);
  }

  /** Reads {@code size} bytes at {@code offset}; fewer only if the blob ends first. */
  public byte[] readAt(Digest digest, long offset, int size) {
    if (size == 0) {
      return new byte[0];
    }
    ReadContentRequest req =
        ReadContentRequest.newBuilder()
            .setDigest(digest.toString())
            .setOffset(offset)
            .setSize(size)
            .build();
    try (InputStream in = ReadStream.open(rpc, req, "read " + digest + " at " + offset)) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Reads a whole blob into memory and checks it against its digest (for manifests, configs,
   * indexes).
   */
  public byte[] readAll(Digest digest) {
    byte[] data;
    try (InputStream in = readBlob(digest)) {
      data = in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (digest.algorithm().equals("sha256")) {
      Digest actual = Digest.sha256(data);
      if (!actual.equals(digest)) {
        throw new ContainerdException(
            ContainerdException.Kind.PROTOCOL,
            "read "
                + digest
                + ": content does not match its digest: expected "
                + digest
                + ", got "
                + actual);
      }
    }
    return data;
  }

  /**
   * Writes a blob through the Write stream (STAT, WRITE chunks, COMMIT with expected digest and
   * size). A blob that already exists counts as success; its labels are then merged in with an
   * update.
   *
   * @param ref ingest name; concurrent writers of the same ref get UNAVAILABLE (locked)
   */
  public ContentInfo writeBlob(
      String ref, Digest expected, long size, InputStream data, Map<String, String> labels) {
    boolean written = new ContentWriter(rpc).write(ref, expected, size, data, labels);
    if (!written && !labels.isEmpty()) {
      return updateLabels(expected, labels);
    }
    return info(expected);
  }

  /** {@link #writeBlob(String, Digest, long, InputStream, Map)} for bytes in memory. */
  public ContentInfo writeBlob(
      String ref, Digest expected, byte[] data, Map<String, String> labels) {
    return writeBlob(ref, expected, data.length, new ByteArrayInputStream(data), labels);
  }

  /** Writes bytes in memory under their sha256 digest with ref {@code finch-<digest>}. */
  public ContentInfo write(byte[] data, Map<String, String> labels) {
    Digest d = Digest.sha256(data);
    return writeBlob("finch-" + d, d, data, labels);
  }

  /** Deletes a blob; NOT_FOUND if absent. */
  public void delete(Digest digest) {
    rpc.run(
        "delete content " + digest,
        () ->
            stub().delete(DeleteContentRequest.newBuilder().setDigest(digest.toString()).build()));
  }

  /** Drops an unfinished ingest. */
  public void abort(String ref) {
    rpc.run(
        "abort ingest " + ref, () -> stub().abort(AbortRequest.newBuilder().setRef(ref).build()));
  }

  /** Blobs matching any of the filters (containerd filter syntax, e.g. {@code labels."k"==v}). */
  public List<ContentInfo> list(String... filters) {
    return rpc.call(
        "list content",
        () -> {
          List<ContentInfo> out = new ArrayList<>();
          stub()
              .list(ListContentRequest.newBuilder().addAllFilters(List.of(filters)).build())
              .forEachRemaining(
                  r -> r.getInfoList().forEach(i -> out.add(ContentInfo.fromProto(i))));
          return out;
        });
  }
}
