package dev.finch.soci.oci;

import dev.finch.soci.sys.LibCrypto;
import java.lang.foreign.MemorySegment;
import java.security.MessageDigest;

/**
 * SHA-256 computed by libcrypto (OpenSSL 3's EVP digest API, {@link LibCrypto}), reading the
 * caller's arrays in place; {@link Digest#newSha256()} hands it out. The daemon hashes every span
 * it fetches and {@code soci create} every layer; with this their JIT can stay at C1 (much less
 * memory and warm-up than C2), where the JDK's own SHA-256 is not intrinsified and runs about ten
 * times slower. {@link #create()} falls back to the JDK's implementation where libcrypto cannot be
 * loaded; both give the same digests.
 *
 * <p>Per-call cost is kept to the downcall itself: one {@code EVP_MD_CTX} per instance, reused
 * after every {@link #digest()}, and the heap segment of the last array updated from is kept, so a
 * read loop over one buffer allocates nothing per update.
 */
public final class NativeSha256 extends MessageDigest {
  private final MemorySegment ctx = LibCrypto.newSha256Context();
  private final byte[] oneByte = new byte[1];
  private final MemorySegment oneByteSegment = MemorySegment.ofArray(oneByte);
  private byte[] lastArray;
  private MemorySegment lastSegment;

  private NativeSha256() {
    super("SHA-256");
  }

  /** A SHA-256 digest: libcrypto's when it is available, else the JDK's. */
  public static MessageDigest create() {
    return LibCrypto.available() ? new NativeSha256() : Digest.jdkSha256();
  }

  /** Whether {@link #create()} gives the native implementation. */
  public static boolean available() {
    return LibCrypto.available();
  }

  @Override
  protected void engineUpdate(byte input) {
    oneByte[0] = input;
    LibCrypto.update(ctx, oneByteSegment, 1);
  }

  @Override
  protected void engineUpdate(byte[] input, int offset, int len) {
    if (len == 0) {
      return;
    }
    if (input != lastArray) {
      lastArray = input;
      lastSegment = MemorySegment.ofArray(input);
    }
    // Only the address reaches C and MessageDigest.update has checked offset and len against the
    // array, so offset 0 needs no slice.
    LibCrypto.update(ctx, offset == 0 ? lastSegment : lastSegment.asSlice(offset), len);
  }

  @Override
  protected byte[] engineDigest() {
    byte[] out = new byte[LibCrypto.SHA256_LENGTH];
    LibCrypto.digestFinal(ctx, MemorySegment.ofArray(out));
    LibCrypto.initSha256(ctx);
    return out;
  }

  @Override
  protected void engineReset() {
    LibCrypto.initSha256(ctx);
  }

  @Override
  protected int engineGetDigestLength() {
    return LibCrypto.SHA256_LENGTH;
  }
}
