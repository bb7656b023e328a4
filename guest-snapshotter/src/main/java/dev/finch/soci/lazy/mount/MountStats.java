package dev.finch.soci.lazy.mount;

import dev.finch.soci.oci.Digest;
import java.nio.file.Path;
import java.util.List;

/**
 * What the lazy mounts have done so far, read at one moment for the metrics endpoint.
 *
 * @param layers one entry per mounted layer
 * @param background the background fetcher's counts
 * @param spanCacheBytes uncompressed bytes in the on-disk span cache
 * @param spanCacheEvictions spans evicted to keep the cache within its bound
 */
public record MountStats(
    List<Layer> layers, Background background, long spanCacheBytes, long spanCacheEvictions) {
  public MountStats {
    layers = List.copyOf(layers);
  }

  /**
   * One mounted layer.
   *
   * @param mountpoint where it is mounted
   * @param digest the layer blob's digest
   * @param size compressed size of the layer
   * @param cachedCompressedBytes compressed bytes of its spans now in the span cache
   * @param servedBytes bytes served to FUSE reads
   * @param fetchedBytes compressed bytes received from the registry
   * @param syncReads FUSE reads
   * @param syncFetches range requests made while a FUSE read waited
   * @param verifyFailures spans whose bytes did not match their zTOC digest
   */
  public record Layer(
      Path mountpoint,
      Digest digest,
      long size,
      long cachedCompressedBytes,
      long servedBytes,
      long fetchedBytes,
      long syncReads,
      long syncFetches,
      long verifyFailures) {}

  /**
   * The background fetcher.
   *
   * @param spansFetched spans it fetched
   * @param failures fetches that failed
   * @param dropped layers not queued because the queue was full
   * @param queued layers waiting now
   */
  public record Background(long spansFetched, long failures, long dropped, int queued) {}
}
