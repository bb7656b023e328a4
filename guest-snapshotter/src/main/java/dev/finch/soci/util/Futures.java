package dev.finch.soci.util;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/** Waiting for work started on another thread, with its failure as if it had run on this one. */
public final class Futures {
  private Futures() {}

  /**
   * {@link CompletableFuture#join()}, rethrowing the task's own RuntimeException rather than the
   * {@link CompletionException} around it (a checked cause stays wrapped).
   */
  public static <T> T join(CompletableFuture<T> f) {
    try {
      return f.join();
    } catch (CompletionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : e;
    }
  }
}
