package dev.finch.soci.daemon;

import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Why a {@code config.toml} key is not honoured: the keys of the reference daemon that this
 * implementation does not support, each with the reason a user needs to decide what to do, and a
 * hint for keys that no soci-snapshotter-grpc has (usually a typo, so the nearest known key of the
 * same table is named when one is close). Keys are dotted paths; a table entry ({@code fuse})
 * covers the whole table when none of its keys is read.
 */
final class ReferenceKeys {
  private ReferenceKeys() {}

  private static final String LATER = "not supported yet, ignored";

  private static final Map<String, String> UNSUPPORTED =
      Map.ofEntries(
          Map.entry("debug_address", "Go's pprof debug endpoint has no counterpart here, ignored"),
          Map.entry(
              "debug",
              "go-fuse's debug trace has no counterpart here (use --log-level debug), ignored"),
          Map.entry("metadata_store", "layer metadata is always kept in memory, ignored"),
          Map.entry("metadata_db_no_sync", "layer metadata is always kept in memory, ignored"),
          Map.entry(
              "metadata_insertion_chunk_size", "layer metadata is always kept in memory, ignored"),
          Map.entry("skip_check_snapshotter_supported", "the check does not exist here, ignored"),
          Map.entry("http_cache_type", "unused by the reference too, ignored"),
          Map.entry(
              "filesystem_cache_type",
              "spans are always cached on disk under the root ([cache] max_bytes bounds them), ignored"),
          Map.entry(
              "resolve_result_entry",
              "ignored: resolved layers are cached for as long as they are mounted"),
          Map.entry(
              "disable_verification",
              "refused: every span is checked against its zTOC digest, ignored"),
          Map.entry("max_concurrency", LATER),
          Map.entry("fuse_metrics_emit_wait_duration_sec", LATER),
          Map.entry("blob.valid_interval", LATER),
          Map.entry("blob.check_always", LATER),
          Map.entry("blob.force_single_range_mode", LATER),
          Map.entry("blob.max_span_verification_retries", LATER),
          Map.entry(
              "directory_cache", "the span cache has its own layout ([cache] max_bytes), ignored"),
          Map.entry(
              "fuse",
              "a mounted layer never changes, so the kernel keeps its names, attributes and"
                  + " listings for a day and opens need no request (docs/daemon.md, Warm reads), ignored"),
          Map.entry(
              "content_store.type",
              "zTOCs are read through containerd's content store or the soci store as soci writes them, ignored"),
          Map.entry("pull_modes.parallel_pull_unpack", LATER),
          Map.entry(
              "kubeconfig_keychain",
              "Kubernetes credential sources are not implemented (the docker config and its helpers are), ignored"),
          Map.entry(
              "cri_keychain",
              "Kubernetes credential sources are not implemented (the docker config and its helpers are), ignored"),
          Map.entry("resolver.enable_auth_client_sharing", LATER),
          Map.entry("resolver.auth_client_ttl_sec", LATER),
          Map.entry("snapshotter.min_layer_size", LATER),
          Map.entry("background_fetch.emit_metric_period_sec", LATER),
          Map.entry("background_fetch.max_concurrency", LATER),
          Map.entry("prefetch.max_concurrency", LATER));

  /**
   * The message for an ignored key, e.g. {@code not supported yet, ignored}.
   *
   * @param table the dotted path of the key's table, empty at the top level
   * @param key the key within it
   * @param supported the keys this implementation reads in that table
   */
  static String whyIgnored(String table, String key, Set<String> supported) {
    String dotted = table.isEmpty() ? key : table + "." + key;
    String why = UNSUPPORTED.get(dotted);
    if (why != null) {
      return why;
    }
    String near = nearest(key, known(table, supported));
    return "not a soci-snapshotter-grpc key ("
        + (near == null ? "a typo?" : "did you mean " + near + "?")
        + "), ignored";
  }

  /** The supported keys of {@code table} and the reference's keys we list for it, sorted. */
  private static Set<String> known(String table, Set<String> supported) {
    Set<String> known = new TreeSet<>(supported);
    String prefix = table.isEmpty() ? "" : table + ".";
    for (String k : UNSUPPORTED.keySet()) {
      if (k.startsWith(prefix) && k.indexOf('.', prefix.length()) < 0) {
        known.add(k.substring(prefix.length()));
      }
    }
    return known;
  }

  /**
   * The known key closest to {@code key} when it is a likely misspelling: at most two edits
   * (ignoring case; a swap of neighbours is one), and fewer than a third of the key's length.
   */
  private static String nearest(String key, Set<String> known) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    String k = key.toLowerCase(Locale.ROOT);
    for (String candidate : known) {
      int d = distance(k, candidate.toLowerCase(Locale.ROOT));
      if (d < bestDistance) {
        best = candidate;
        bestDistance = d;
      }
    }
    return bestDistance <= 2 && bestDistance * 3 < key.length() ? best : null;
  }

  /** Optimal string alignment distance: insertions, deletions, substitutions, adjacent swaps. */
  static int distance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1
            && j > 1
            && a.charAt(i - 1) == b.charAt(j - 2)
            && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }
}
