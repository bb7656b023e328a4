package dev.finch.soci.containerd;

import io.grpc.Channel;
import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * What every service view needs: the channel with namespace (and lease) metadata attached, and the
 * socket path for error messages.
 */
record Rpc(Channel channel, Path socket) {

  /**
   * Runs one call, turning any gRPC failure into a {@link ContainerdException} naming {@code
   * action}.
   */
  <T> T call(String action, Supplier<T> body) {
    try {
      return body.get();
    } catch (RuntimeException e) {
      throw ContainerdException.from(e, action, socket);
    }
  }

  void run(String action, Runnable body) {
    call(
        action,
        () -> {
          body.run();
          return null;
        });
  }

  ContainerdException error(Throwable t, String action) {
    return ContainerdException.from(t, action, socket);
  }
}
