package dev.finch.soci.lazy.mount;

import dev.finch.soci.registry.RegistryClient;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;

/**
 * What a span's inflation needs beyond the zTOC in hand: the checkpoint windows of a zTOC that was
 * fetched without them ({@link ZtocWindows}); {@link #NONE} for a whole zTOC.
 */
public interface CheckpointWindows extends java.io.Closeable {
  /** Makes sure the windows of spans {@code first..last} are in place before they are used. */
  void ensure(RegistryClient client, String repository, int first, int last) throws IOException;

  /** The bytes of the windows the zTOC came without: 0 for a whole zTOC. */
  default long leftOutBytes() {
    return 0;
  }

  /**
   * {@link #ensure} on a fetch thread, so that it goes on beside the spans' own range read; the
   * future fails with an {@link java.io.UncheckedIOException} wrapping what {@code ensure} threw.
   */
  default CompletableFuture<Void> fetching(
      RegistryClient client, String repository, int first, int last) {
    return CompletableFuture.runAsync(
        () -> {
          try {
            ensure(client, repository, first, last);
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        },
        RemoteLayer.FETCHERS);
  }

  @Override
  default void close() throws IOException {}

  /** A whole zTOC: every window is there. */
  CheckpointWindows NONE =
      new CheckpointWindows() {
        @Override
        public void ensure(RegistryClient client, String repository, int first, int last) {}

        @Override
        public CompletableFuture<Void> fetching(
            RegistryClient client, String repository, int first, int last) {
          return CompletableFuture.completedFuture(null);
        }
      };
}
