package dev.finch.soci.containerd;

import dev.finch.soci.grpc.api.namespaces.CreateNamespaceRequest;
import dev.finch.soci.grpc.api.namespaces.DeleteNamespaceRequest;
import dev.finch.soci.grpc.api.namespaces.ListNamespacesRequest;
import dev.finch.soci.grpc.api.namespaces.Namespace;
import dev.finch.soci.grpc.api.namespaces.NamespacesGrpc;
import java.util.List;
import java.util.Map;

/**
 * containerd's namespaces (not themselves namespaced). containerd creates a namespace implicitly on
 * first use; this is for listing and for explicit labels such as {@code
 * containerd.io/defaults/snapshotter}.
 */
public final class NamespaceClient {
  private final Rpc rpc;

  NamespaceClient(Rpc rpc) {
    this.rpc = rpc;
  }

  private NamespacesGrpc.NamespacesBlockingStub stub() {
    return NamespacesGrpc.newBlockingStub(rpc.channel());
  }

  /** Names of all namespaces. */
  public List<String> list() {
    return rpc.call(
        "list namespaces",
        () ->
            stub().list(ListNamespacesRequest.getDefaultInstance()).getNamespacesList().stream()
                .map(Namespace::getName)
                .toList());
  }

  /** Creates a namespace; ALREADY_EXISTS if it exists. */
  public void create(String name, Map<String, String> labels) {
    rpc.run(
        "create namespace " + name,
        () ->
            stub()
                .create(
                    CreateNamespaceRequest.newBuilder()
                        .setNamespace(Namespace.newBuilder().setName(name).putAllLabels(labels))
                        .build()));
  }

  /** Deletes an empty namespace; FAILED_PRECONDITION while it still holds objects. */
  public void delete(String name) {
    rpc.run(
        "delete namespace " + name,
        () -> stub().delete(DeleteNamespaceRequest.newBuilder().setName(name).build()));
  }
}
