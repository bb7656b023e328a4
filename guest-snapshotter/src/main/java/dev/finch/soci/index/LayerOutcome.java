package dev.finch.soci.index;

import dev.finch.soci.oci.Descriptor;

/** What index creation did with one image layer: its zTOC, or, after all zTOCs, its prefetch artifact. */
public sealed interface LayerOutcome {
  Descriptor layer();

  /** One line for the user, in the reference CLI's wording. */
  String message();

  /** A zTOC was built (or reused) for the layer. */
  record Indexed(Descriptor layer, Descriptor ztoc, boolean reused) implements LayerOutcome {
    @Override
    public String message() {
      return "layer " + layer.digest() + " -> ztoc " + ztoc.digest() + (reused ? " (existing)" : "");
    }
  }

  /** The layer got no zTOC; {@code reason} says why (below min-layer-size, zstd, ...). */
  record Skipped(Descriptor layer, String reason) implements LayerOutcome {
    @Override
    public String message() {
      return "ztoc skipped - " + reason;
    }
  }

  /** A prefetch artifact was stored for the layer ({@code --prefetch-file}). */
  record Prefetched(Descriptor layer, Descriptor prefetch, PrefetchArtifact artifact) implements LayerOutcome {
    @Override
    public String message() {
      return "Created prefetch artifact for layer " + layer.digest() + ": " + prefetch.digest();
    }
  }
}
