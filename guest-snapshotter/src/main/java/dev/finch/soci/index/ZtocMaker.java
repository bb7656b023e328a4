package dev.finch.soci.index;

import dev.finch.soci.oci.Descriptor;
import dev.finch.soci.oci.MediaTypes;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/** Builds a serialized zTOC from one layer blob; index creation sees only this. */
@FunctionalInterface
public interface ZtocMaker {
  /**
   * Streams {@code blob} (the compressed layer) once and returns the zTOC.
   *
   * @throws UnsupportedLayerException for layers that cannot be indexed (zstd); the layer is
   *     skipped
   */
  Made make(Descriptor layer, MediaTypes.Compression compression, InputStream blob, long spanSize)
      throws IOException;

  /**
   * {@link #make}, with gzip checkpoints at file starts too when {@code fileCheckpoints} ({@code
   * --file-checkpoints}); makers that cannot do that refuse it.
   */
  default Made make(
      Descriptor layer,
      MediaTypes.Compression compression,
      InputStream blob,
      long spanSize,
      boolean fileCheckpoints)
      throws IOException {
    if (fileCheckpoints) {
      throw new UnsupportedOperationException("this zTOC maker has no file checkpoints");
    }
    return make(layer, compression, blob, spanSize);
  }

  /**
   * A built zTOC: its serialized bytes, whether any entry carries xattrs or opaque markers, and
   * warnings for the user about its entries.
   */
  record Made(byte[] bytes, boolean needsXattrs, List<String> warnings) {
    public Made {
      warnings = List.copyOf(warnings);
    }

    public Made(byte[] bytes, boolean needsXattrs) {
      this(bytes, needsXattrs, List.of());
    }
  }

  /** Thrown for layers SOCI does not index; index creation reports it as a skipped layer. */
  final class UnsupportedLayerException extends IOException {
    public UnsupportedLayerException(String message) {
      super(message);
    }
  }
}
