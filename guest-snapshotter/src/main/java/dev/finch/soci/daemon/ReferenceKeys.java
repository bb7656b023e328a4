package dev.finch.soci.daemon;

import java.util.Map;

/**
 * Why a {@code config.toml} key is not honoured: the keys of the reference daemon that this
 * implementation does not support, each with the reason a user needs to decide what to do, and a
 * hint for keys that no soci-snapshotter-grpc has (usually a typo). Keys are dotted paths; a table
 * entry ({@code fuse}) covers the whole table when none of its keys is read.
 */
final class ReferenceKeys {
  private ReferenceKeys() {}

  private static final String LATER = "not supported yet, ignored";

  private static final Map<String, String> UNSUPPORTED = Map.ofEntries(
      Map.entry("debug_address", "Go's pprof debug endpoint has no counterpart here, ignored"),
      Map.entry("debug", "go-fuse's debug trace has no counterpart here (use --log-level debug), ignored"),
      Map.entry("metadata_store", "layer metadata is always kept in memory, ignored"),
      Map.entry("metadata_db_no_sync", "layer metadata is always kept in memory, ignored"),
      Map.entry("metadata_insertion_chunk_size", "layer metadata is always kept in memory, ignored"),
      Map.entry("skip_check_snapshotter_supported", "the check does not exist here, ignored"),
      Map.entry("http_cache_type", "unused by the reference too, ignored"),
      Map.entry("filesystem_cache_type", "spans are always cached on disk under the root ([cache] max_bytes bounds them), ignored"),
      Map.entry("resolve_result_entry", "ignored: resolved layers are cached for as long as they are mounted"),
      Map.entry("disable_verification", "refused: every span is checked against its zTOC digest, ignored"),
      Map.entry("max_concurrency", LATER),
      Map.entry("fuse_metrics_emit_wait_duration_sec", LATER),
      Map.entry("http", LATER + " (registry timeouts and retries come from [blob])"),
      Map.entry("blob.valid_interval", LATER),
      Map.entry("blob.check_always", LATER),
      Map.entry("blob.min_wait_msec", LATER),
      Map.entry("blob.max_wait_msec", LATER),
      Map.entry("blob.force_single_range_mode", LATER),
      Map.entry("blob.max_span_verification_retries", LATER),
      Map.entry("directory_cache", "the span cache has its own layout ([cache] max_bytes), ignored"),
      Map.entry("fuse", LATER),
      Map.entry("content_store.type", "zTOCs are read through containerd's content store or the soci store as soci writes them, ignored"),
      Map.entry("pull_modes.parallel_pull_unpack", LATER),
      Map.entry("kubeconfig_keychain", "Kubernetes credential sources are not implemented (the docker config and its helpers are), ignored"),
      Map.entry("cri_keychain", "Kubernetes credential sources are not implemented (the docker config and its helpers are), ignored"),
      Map.entry("resolver.enable_auth_client_sharing", LATER),
      Map.entry("resolver.auth_client_ttl_sec", LATER),
      Map.entry("snapshotter.min_layer_size", LATER),
      Map.entry("background_fetch.emit_metric_period_sec", LATER),
      Map.entry("background_fetch.max_concurrency", LATER),
      Map.entry("prefetch.max_concurrency", LATER));

  /** The message for an ignored key, e.g. {@code not supported yet, ignored}. */
  static String whyIgnored(String dottedKey) {
    String why = UNSUPPORTED.get(dottedKey);
    if (why != null) {
      return why;
    }
    return "not a soci-snapshotter-grpc key (a typo?), ignored";
  }
}
