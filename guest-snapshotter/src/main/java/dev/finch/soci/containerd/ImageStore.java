package dev.finch.soci.containerd;

import com.google.protobuf.FieldMask;
import dev.finch.soci.grpc.api.images.CreateImageRequest;
import dev.finch.soci.grpc.api.images.DeleteImageRequest;
import dev.finch.soci.grpc.api.images.GetImageRequest;
import dev.finch.soci.grpc.api.images.ImagesGrpc;
import dev.finch.soci.grpc.api.images.ListImagesRequest;
import dev.finch.soci.grpc.api.images.UpdateImageRequest;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** containerd's image metadata service (names to root descriptors) in one namespace. */
public final class ImageStore {
  /** Field-mask path replacing the target descriptor. */
  public static final String FIELD_TARGET = "target";

  /** Field-mask path replacing all labels. */
  public static final String FIELD_LABELS = "labels";

  private final Rpc rpc;

  ImageStore(Rpc rpc) {
    this.rpc = rpc;
  }

  private ImagesGrpc.ImagesBlockingStub stub() {
    return ImagesGrpc.newBlockingStub(rpc.channel());
  }

  /** The image named {@code name}; NOT_FOUND if there is none. */
  public Image get(String name) {
    return rpc.call(
        "get image \"" + name + "\"",
        () ->
            Image.fromProto(
                stub().get(GetImageRequest.newBuilder().setName(name).build()).getImage()));
  }

  /** {@link #get} or empty. */
  public Optional<Image> find(String name) {
    try {
      return Optional.of(get(name));
    } catch (ContainerdException e) {
      if (e.is(ContainerdException.Kind.NOT_FOUND)) {
        return Optional.empty();
      }
      throw e;
    }
  }

  /**
   * Images matching any filter (e.g. {@code name==docker.io/library/busybox:latest}); all if none.
   */
  public List<Image> list(String... filters) {
    return rpc.call(
        "list images",
        () ->
            stub()
                .list(ListImagesRequest.newBuilder().addAllFilters(List.of(filters)).build())
                .getImagesList()
                .stream()
                .map(Image::fromProto)
                .toList());
  }

  /** Creates the record; ALREADY_EXISTS if the name is taken. */
  public Image create(Image image) {
    return rpc.call(
        "create image \"" + image.name() + "\"",
        () ->
            Image.fromProto(
                stub()
                    .create(CreateImageRequest.newBuilder().setImage(image.toProto()).build())
                    .getImage()));
  }

  /**
   * Updates the fields named in {@code fieldPaths} ({@link #FIELD_TARGET}, {@link #FIELD_LABELS},
   * {@code labels.<key>}); an empty list updates every mutable field. NOT_FOUND if absent.
   *
   * <p>The image must carry its target even when the mask does not name it: containerd 1.7 and 2.x
   * convert the whole record before applying the mask and crash (a nil dereference that takes the
   * daemon down) on an update without one; 1.6 tolerated it.
   */
  public Image update(Image image, Collection<String> fieldPaths) {
    if (image.target() == null) {
      throw new IllegalArgumentException(
          "image update of \"" + image.name() + "\" without a target");
    }
    return rpc.call(
        "update image \"" + image.name() + "\"",
        () ->
            Image.fromProto(
                stub()
                    .update(
                        UpdateImageRequest.newBuilder()
                            .setImage(image.toProto())
                            .setUpdateMask(FieldMask.newBuilder().addAllPaths(fieldPaths).build())
                            .build())
                    .getImage()));
  }

  /**
   * Sets the given labels on image {@code name}, keeping the others (the mask names only these
   * keys) and its target (read first and sent back unchanged, as {@link #update} needs).
   */
  public Image setLabels(String name, Map<String, String> labels) {
    return update(get(name).withLabels(labels), Protos.labelMask(labels.keySet()).getPathsList());
  }

  /** Creates the image, or, if the name exists, replaces its target and labels. */
  public Image createOrUpdate(Image image) {
    try {
      return create(image);
    } catch (ContainerdException e) {
      if (!e.is(ContainerdException.Kind.ALREADY_EXISTS)) {
        throw e;
      }
      return update(image, List.of(FIELD_TARGET, FIELD_LABELS));
    }
  }

  /**
   * Deletes the record (not its content; that is left to garbage collection). NOT_FOUND if absent.
   */
  public void delete(String name, boolean sync) {
    rpc.run(
        "delete image \"" + name + "\"",
        () -> stub().delete(DeleteImageRequest.newBuilder().setName(name).setSync(sync).build()));
  }
}
