package dev.finch.soci.rpull;

import dev.finch.soci.oci.Digest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Layer chain IDs as the OCI image spec defines them: {@code ChainID(L0) = DiffID(L0)} and {@code
 * ChainID(L0..Ln) = sha256(ChainID(L0..Ln-1) + " " + DiffID(Ln))}. containerd names committed layer
 * snapshots by chain ID, so they are shared by every image with the same layer prefix.
 *
 * @see <a
 *     href="https://github.com/opencontainers/image-spec/blob/main/config.md#layer-chainid">layer
 *     ChainID</a>
 */
public final class ChainIds {
  private ChainIds() {}

  /** The chain ID of every prefix of {@code diffIds}: element {@code i} names layers 0..i. */
  public static List<Digest> of(List<Digest> diffIds) {
    List<Digest> out = new ArrayList<>(diffIds.size());
    Digest chain = null;
    for (Digest diff : diffIds) {
      chain =
          chain == null
              ? diff
              : Digest.sha256((chain + " " + diff).getBytes(StandardCharsets.UTF_8));
      out.add(chain);
    }
    return List.copyOf(out);
  }
}
