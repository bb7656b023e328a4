package dev.finch.soci.index;

import dev.finch.soci.oci.Descriptor;
import java.util.List;

/**
 * What index creation did with one image layer: its zTOC, or, after all zTOCs, its prefetch
 * artifact.
 */
public sealed interface LayerOutcome {
  Descriptor layer();

  /** One line for the user, in the reference CLI's wording. */
  String message();

  /** Warnings for the user (stderr), each one line; none by default. */
  default List<String> warnings() {
    return List.of();
  }

  /**
   * A zTOC was built (or reused) for the layer; {@code warnings} name entries that a lazy mount of
   * it leaves out (see {@link ZtocMakers#nameWarnings}).
   */
  record Indexed(Descriptor layer, Descriptor ztoc, boolean reused, List<String> warnings)
      implements LayerOutcome {
    public Indexed {
      warnings = List.copyOf(warnings);
    }

    @Override
    public String message() {
      return "layer "
          + layer.digest()
          + " -> ztoc "
          + ztoc.digest()
          + (reused ? " (existing)" : "");
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
  record Prefetched(Descriptor layer, Descriptor prefetch, PrefetchArtifact artifact)
      implements LayerOutcome {
    @Override
    public String message() {
      return "Created prefetch artifact for layer " + layer.digest() + ": " + prefetch.digest();
    }
  }

  /**
   * The error when no layer got a zTOC, in the reference CLI's wording, with a hint when every
   * layer was merely below {@code --min-layer-size}.
   */
  public static String noZtocsMessage(List<LayerOutcome> outcomes, IndexOptions opts) {
    boolean allSmall =
        !outcomes.isEmpty()
            && outcomes.stream()
                .allMatch(o -> o instanceof Skipped && o.layer().size() < opts.minLayerSize());
    String base = "no ztocs created, all layers either skipped or produced errors";
    if (allSmall) {
      long largest = outcomes.stream().mapToLong(o -> o.layer().size()).max().orElse(0);
      return base
          + ": every layer is smaller than --min-layer-size "
          + opts.minLayerSize()
          + " (largest is "
          + largest
          + " bytes); lower --min-layer-size to index them";
    }
    return base;
  }
}
