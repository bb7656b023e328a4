package dev.finch.soci.index;

import java.util.List;

/**
 * Options of {@code soci create} and {@code soci convert}.
 *
 * @param spanSize uncompressed bytes between zTOC checkpoints (default 4 MiB)
 * @param minLayerSize layers smaller than this get no zTOC (default 10 MiB)
 * @param force rebuild zTOCs even when one exists for the same layer and span size
 * @param xattrOptimization add {@code com.amazon.soci.disable-xattrs} to zTOCs of layers without
 *     xattrs
 * @param prefetchPaths files inside the image whose spans go into prefetch artifacts ({@code
 *     --prefetch-file}); empty for none
 * @param recordings recorded reads whose spans go into prefetch artifacts, in time order ({@code
 *     --record}); empty for none
 * @param lazyZtoc also publish each gzip layer's {@link dev.finch.soci.ztoc.ZtocSkeleton} ({@code
 *     --lazy-ztoc}, our own): our daemon then fetches a zTOC's checkpoint windows only with the
 *     spans it reads; other daemons ignore it
 * @param fileCheckpoints gzip checkpoints at file starts too, where they pay for themselves ({@code
 *     --file-checkpoints}, our own; see {@link
 *     dev.finch.soci.ztoc.compression.GzipIndexer#FILE_NEAR}): an ordinary zTOC with more spans
 */
public record IndexOptions(
    long spanSize,
    long minLayerSize,
    boolean force,
    boolean xattrOptimization,
    List<String> prefetchPaths,
    List<ReadRecord> recordings,
    boolean lazyZtoc,
    boolean fileCheckpoints) {
  public static final long DEFAULT_SPAN_SIZE = 1L << 22;
  public static final long DEFAULT_MIN_LAYER_SIZE = 10L << 20;

  public IndexOptions {
    if (spanSize <= 0) {
      throw new IllegalArgumentException("--span-size must be greater than 0, got " + spanSize);
    }
    if (minLayerSize < 0) {
      throw new IllegalArgumentException(
          "--min-layer-size must not be negative, got " + minLayerSize);
    }
    prefetchPaths = List.copyOf(prefetchPaths);
    recordings = List.copyOf(recordings);
  }

  /** Options without prefetch paths. */
  public IndexOptions(long spanSize, long minLayerSize, boolean force, boolean xattrOptimization) {
    this(spanSize, minLayerSize, force, xattrOptimization, List.of(), List.of(), false, false);
  }

  public static IndexOptions defaults() {
    return new IndexOptions(DEFAULT_SPAN_SIZE, DEFAULT_MIN_LAYER_SIZE, false, false);
  }

  /** The same options with these prefetch paths. */
  public IndexOptions withPrefetchPaths(List<String> paths) {
    return new IndexOptions(
        spanSize,
        minLayerSize,
        force,
        xattrOptimization,
        paths,
        recordings,
        lazyZtoc,
        fileCheckpoints);
  }

  /** The same options with these recordings. */
  public IndexOptions withRecordings(List<ReadRecord> records) {
    return new IndexOptions(
        spanSize,
        minLayerSize,
        force,
        xattrOptimization,
        prefetchPaths,
        records,
        lazyZtoc,
        fileCheckpoints);
  }

  /** The same options, publishing zTOC skeletons or not. */
  public IndexOptions withLazyZtoc(boolean lazy) {
    return new IndexOptions(
        spanSize,
        minLayerSize,
        force,
        xattrOptimization,
        prefetchPaths,
        recordings,
        lazy,
        fileCheckpoints);
  }

  /** The same options, with checkpoints at file starts or not. */
  public IndexOptions withFileCheckpoints(boolean on) {
    return new IndexOptions(
        spanSize, minLayerSize, force, xattrOptimization, prefetchPaths, recordings, lazyZtoc, on);
  }

  /** True when prefetch artifacts are to be built (paths or recordings given). */
  public boolean wantsPrefetch() {
    return !prefetchPaths.isEmpty() || !recordings.isEmpty();
  }
}
