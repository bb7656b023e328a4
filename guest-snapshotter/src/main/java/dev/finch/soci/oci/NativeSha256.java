package dev.finch.soci.oci;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.security.MessageDigest;

/**
 * SHA-256 computed by libcrypto (OpenSSL 3, {@code SHA256_Init/Update/Final}) through the FFM API,
 * reading the caller's arrays in place; {@link Digest#newSha256()} hands it out. The daemon hashes
 * every span it fetches and {@code soci create} every layer; with this their JIT can stay at C1
 * (much less memory and warm-up than C2), where the JDK's own SHA-256 is not intrinsified and runs
 * about five times slower. {@link #create()} falls back to the JDK's implementation where
 * libcrypto cannot be loaded; both give the same digests.
 */
public final class NativeSha256 extends MessageDigest {
  /** {@code sizeof(SHA256_CTX)} is 112 on LP64; rounded up. */
  private static final long CTX_SIZE = 128;
  private static final MethodHandle INIT;
  private static final MethodHandle UPDATE;
  private static final MethodHandle FINAL;

  static {
    MethodHandle init = null;
    MethodHandle update = null;
    MethodHandle fin = null;
    try {
      Linker linker = Linker.nativeLinker();
      SymbolLookup crypto = SymbolLookup.libraryLookup("libcrypto.so.3", Arena.global());
      ValueLayout a = ValueLayout.ADDRESS;
      ValueLayout.OfInt i = ValueLayout.JAVA_INT;
      // critical: short calls that may read and write Java arrays directly (no copy)
      Linker.Option heap = Linker.Option.critical(true);
      init = linker.downcallHandle(crypto.find("SHA256_Init").orElseThrow(), FunctionDescriptor.of(i, a));
      update = linker.downcallHandle(crypto.find("SHA256_Update").orElseThrow(),
          FunctionDescriptor.of(i, a, a, ValueLayout.JAVA_LONG), heap);
      fin = linker.downcallHandle(crypto.find("SHA256_Final").orElseThrow(), FunctionDescriptor.of(i, a, a), heap);
    } catch (RuntimeException | LinkageError e) {
      init = null;
    }
    INIT = init;
    UPDATE = update;
    FINAL = fin;
  }

  private final MemorySegment ctx = Arena.ofAuto().allocate(CTX_SIZE, 8);

  private NativeSha256() {
    super("SHA-256");
    engineReset();
  }

  /** A SHA-256 digest: libcrypto's when it is available, else the JDK's. */
  public static MessageDigest create() {
    return INIT != null ? new NativeSha256() : Digest.jdkSha256();
  }

  /** Whether {@link #create()} gives the native implementation. */
  public static boolean available() {
    return INIT != null;
  }

  @Override
  protected void engineUpdate(byte input) {
    engineUpdate(new byte[] {input}, 0, 1);
  }

  @Override
  protected void engineUpdate(byte[] input, int offset, int len) {
    if (len == 0) {
      return;
    }
    try {
      check("SHA256_Update", (int) UPDATE.invokeExact(ctx, MemorySegment.ofArray(input).asSlice(offset, len), (long) len));
    } catch (Throwable t) {
      throw failure(t);
    }
  }

  @Override
  protected byte[] engineDigest() {
    byte[] out = new byte[32];
    try {
      check("SHA256_Final", (int) FINAL.invokeExact(MemorySegment.ofArray(out), ctx));
    } catch (Throwable t) {
      throw failure(t);
    }
    engineReset();
    return out;
  }

  @Override
  protected void engineReset() {
    try {
      check("SHA256_Init", (int) INIT.invokeExact(ctx));
    } catch (Throwable t) {
      throw failure(t);
    }
  }

  @Override
  protected int engineGetDigestLength() {
    return 32;
  }

  private static void check(String call, int ret) {
    if (ret != 1) {
      throw new IllegalStateException(call + " returned " + ret);
    }
  }

  private static RuntimeException failure(Throwable t) {
    return t instanceof RuntimeException r ? r : new IllegalStateException("libcrypto SHA-256: " + t, t);
  }
}
