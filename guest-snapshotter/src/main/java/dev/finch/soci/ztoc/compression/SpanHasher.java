package dev.finch.soci.ztoc.compression;

import dev.finch.soci.oci.Digest;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;

/**
 * Hashes the compressed bytes of each gzip span while the blob streams past once. Span {@code i}
 * covers {@code [in(i) - (bits(i) != 0 ? 1 : 0), in(i+1))}, so when a span starts mid-byte the byte
 * before its checkpoint is hashed into both neighbours; bytes before checkpoint 0 (the gzip header)
 * belong to no span.
 */
final class SpanHasher {
  private final MessageDigest md = Digest.newSha256();
  private final List<Digest> digests = new ArrayList<>();
  private boolean open;
  private byte[] chunk;
  private int chunkLen;
  private long chunkPos;
  private long hashedUpTo;
  private byte lastByteOfPreviousChunk;

  /** A new chunk of the blob, at blob offset {@code pos}; call {@link #chunkDone} before reuse. */
  void newChunk(byte[] buf, int len, long pos) {
    chunk = buf;
    chunkLen = len;
    chunkPos = pos;
  }

  /** Hashes what is left of the current chunk; its buffer may then be overwritten. */
  void chunkDone() {
    if (chunk != null && chunkLen > 0) {
      hashTo(chunkPos + chunkLen);
      lastByteOfPreviousChunk = chunk[chunkLen - 1];
    }
    chunk = null;
  }

  /** A checkpoint at compressed offset {@code in}: closes the open span and opens the next. */
  void boundary(long in, int bits) {
    hashTo(in);
    if (open) {
      digests.add(Digest.fromSha256(md.digest()));
    }
    open = true;
    if (bits != 0) {
      long shared = in - 1;
      md.update(
          chunk != null && shared >= chunkPos
              ? chunk[(int) (shared - chunkPos)]
              : lastByteOfPreviousChunk);
    }
    hashedUpTo = in;
  }

  /** Closes the last span at the end of the blob and returns all span digests. */
  List<Digest> finish() {
    chunkDone();
    if (open) {
      digests.add(Digest.fromSha256(md.digest()));
      open = false;
    }
    return List.copyOf(digests);
  }

  private void hashTo(long end) {
    if (end <= hashedUpTo) {
      return;
    }
    if (open) {
      md.update(chunk, (int) (hashedUpTo - chunkPos), (int) (end - hashedUpTo));
    }
    hashedUpTo = end;
  }
}
