package dev.finch.soci.service;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;

/**
 * Puts the containerd namespace of each incoming call (gRPC metadata {@value #HEADER}, which
 * containerd's proxy client copies from its context) into {@link #NAMESPACE}, the way soci's {@code
 * cmd/soci-snapshotter-grpc/namespaces.go} interceptor carries it into the handler's context. Calls
 * without the header see {@code ""}.
 */
public final class NamespaceInterceptor implements ServerInterceptor {
  /** The metadata key containerd sets on every namespaced call. */
  public static final String HEADER = "containerd-namespace";

  /** The namespace of the call being served; {@code ""} when the caller sent none. */
  public static final Context.Key<String> NAMESPACE =
      Context.keyWithDefault("containerd-namespace", "");

  private static final Metadata.Key<String> KEY =
      Metadata.Key.of(HEADER, Metadata.ASCII_STRING_MARSHALLER);

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    String ns = headers.get(KEY);
    Context ctx = Context.current().withValue(NAMESPACE, ns == null ? "" : ns);
    return Contexts.interceptCall(ctx, call, headers, next);
  }

  /** The namespace of the current call ({@code ""} outside a call or without the header). */
  public static String current() {
    return NAMESPACE.get();
  }
}
