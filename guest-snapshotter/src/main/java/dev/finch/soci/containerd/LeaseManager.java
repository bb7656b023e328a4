package dev.finch.soci.containerd;

import dev.finch.soci.grpc.api.leases.AddResourceRequest;
import dev.finch.soci.grpc.api.leases.CreateRequest;
import dev.finch.soci.grpc.api.leases.DeleteRequest;
import dev.finch.soci.grpc.api.leases.LeasesGrpc;
import dev.finch.soci.grpc.api.leases.ListRequest;
import dev.finch.soci.grpc.api.leases.ListResourcesRequest;
import dev.finch.soci.grpc.api.leases.Resource;
import java.util.List;
import java.util.Map;

/**
 * containerd's lease service. Typical use: {@code create} a lease with an expiry, then work through
 * {@link ContainerdClient#withLease(String)} so every blob and snapshot is held, and {@code delete}
 * it once the results are referenced from an image (gc labels).
 */
public final class LeaseManager {
  /**
   * A resource a lease holds: {@code type} is "content", "ingests" or "snapshots/<snapshotter>".
   */
  public record LeaseResource(String id, String type) {}

  private final Rpc rpc;

  LeaseManager(Rpc rpc) {
    this.rpc = rpc;
  }

  private LeasesGrpc.LeasesBlockingStub stub() {
    return LeasesGrpc.newBlockingStub(rpc.channel());
  }

  /** Creates a lease; an empty {@code id} lets containerd choose one. */
  public Lease create(String id, Map<String, String> labels) {
    return rpc.call(
        "create lease " + id,
        () ->
            Lease.fromProto(
                stub()
                    .create(CreateRequest.newBuilder().setId(id).putAllLabels(labels).build())
                    .getLease()));
  }

  /** Deletes a lease; with {@code sync}, garbage collection runs before this returns. */
  public void delete(String id, boolean sync) {
    rpc.run(
        "delete lease " + id,
        () -> stub().delete(DeleteRequest.newBuilder().setId(id).setSync(sync).build()));
  }

  /** Leases matching any filter (e.g. {@code id==x}); all if none. */
  public List<Lease> list(String... filters) {
    return rpc.call(
        "list leases",
        () ->
            stub()
                .list(ListRequest.newBuilder().addAllFilters(List.of(filters)).build())
                .getLeasesList()
                .stream()
                .map(Lease::fromProto)
                .toList());
  }

  /** Adds an existing resource to a lease. */
  public void addResource(String leaseId, LeaseResource resource) {
    rpc.run(
        "add " + resource.type() + " " + resource.id() + " to lease " + leaseId,
        () ->
            stub()
                .addResource(
                    AddResourceRequest.newBuilder()
                        .setId(leaseId)
                        .setResource(
                            Resource.newBuilder().setId(resource.id()).setType(resource.type()))
                        .build()));
  }

  /** What the lease holds. */
  public List<LeaseResource> resources(String leaseId) {
    return rpc.call(
        "list resources of lease " + leaseId,
        () ->
            stub()
                .listResources(ListResourcesRequest.newBuilder().setId(leaseId).build())
                .getResourcesList()
                .stream()
                .map(r -> new LeaseResource(r.getId(), r.getType()))
                .toList());
  }
}
