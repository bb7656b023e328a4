package dev.finch.soci.containerd;

import dev.finch.soci.grpc.api.diff.ApplyRequest;
import dev.finch.soci.grpc.api.diff.DiffGrpc;
import dev.finch.soci.oci.Descriptor;
import java.util.List;

/** containerd's diff service: unpacks layer blobs from the content store onto snapshot mounts. */
public final class DiffClient {
  private final Rpc rpc;

  DiffClient(Rpc rpc) {
    this.rpc = rpc;
  }

  /**
   * Applies {@code layer} (read from the content store, decompressed as its media type says) onto
   * {@code mounts}, e.g. those of a freshly prepared snapshot. Returns the descriptor of the
   * uncompressed tar, whose digest is the layer's diff id.
   */
  public Descriptor apply(Descriptor layer, List<ContainerdMount> mounts) {
    return rpc.call(
        "apply layer " + layer.digest(),
        () ->
            Protos.fromProto(
                DiffGrpc.newBlockingStub(rpc.channel())
                    .apply(
                        ApplyRequest.newBuilder()
                            .setDiff(Protos.toProto(layer))
                            .addAllMounts(Protos.toProtoMounts(mounts))
                            .build())
                    .getApplied()));
  }
}
