package dev.finch.soci.sys;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

/**
 * SHA-256 through OpenSSL 3's EVP digest API ({@code libcrypto.so.3}, {@code openssl/evp.h}):
 * {@code EVP_MD_CTX_new}, {@code EVP_DigestInit_ex(ctx, sha256, NULL)}, {@code EVP_DigestUpdate},
 * {@code EVP_DigestFinal_ex} and {@code EVP_MD_CTX_free}. {@code sha256} is fetched once from the
 * default provider ({@code EVP_MD_fetch(NULL, "SHA256", NULL)}, kept for the life of the JVM): with
 * {@code EVP_sha256()} every init fetches it again implicitly, which doubles the cost of starting a
 * digest (OpenSSL 3's "explicit fetching" advice); {@code EVP_sha256()} is used only if the fetch
 * fails. A missing library or symbol does not fail class loading: {@link #available()} is then
 * false and the callers use the JDK's digest.
 */
@SuppressWarnings("restricted") // binding a context's lifetime to its Java owner
public final class LibCrypto {
  private LibCrypto() {}

  /** {@code SHA256_DIGEST_LENGTH}. */
  public static final int SHA256_LENGTH = 32;

  private static final String LIBRARY = "libcrypto.so.3";
  private static final MethodHandle CTX_NEW;
  private static final MethodHandle CTX_FREE;
  private static final MethodHandle INIT;
  private static final MethodHandle UPDATE;
  private static final MethodHandle FINAL;

  /** The SHA-256 {@code EVP_MD *} every context is initialised with. */
  private static final MemorySegment SHA256;

  static {
    MethodHandle ctxNew = null;
    MethodHandle ctxFree = null;
    MethodHandle init = null;
    MethodHandle update = null;
    MethodHandle fin = null;
    MemorySegment sha256 = null;
    try {
      SymbolLookup crypto = Native.library(LIBRARY);
      // critical: short calls that may read and write Java arrays in place (no copy)
      Linker.Option heap = Linker.Option.critical(true);
      ctxNew = Native.downcall(crypto, "EVP_MD_CTX_new", FunctionDescriptor.of(ADDRESS));
      ctxFree = Native.downcall(crypto, "EVP_MD_CTX_free", FunctionDescriptor.ofVoid(ADDRESS));
      init =
          Native.downcall(
              crypto,
              "EVP_DigestInit_ex",
              FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
      update =
          Native.downcall(
              crypto,
              "EVP_DigestUpdate",
              FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG),
              heap);
      fin =
          Native.downcall(
              crypto,
              "EVP_DigestFinal_ex",
              FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS),
              heap);
      MethodHandle fetch =
          Native.downcall(
              crypto, "EVP_MD_fetch", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS, ADDRESS));
      sha256 =
          (MemorySegment)
              fetch.invokeExact(
                  MemorySegment.NULL, Arena.global().allocateFrom("SHA256"), MemorySegment.NULL);
      if (sha256.equals(MemorySegment.NULL)) {
        MethodHandle evpSha256 =
            Native.downcall(crypto, "EVP_sha256", FunctionDescriptor.of(ADDRESS));
        sha256 = (MemorySegment) evpSha256.invokeExact();
      }
      if (sha256.equals(MemorySegment.NULL)) {
        sha256 = null;
      }
    } catch (Throwable t) {
      if (t instanceof VirtualMachineError e) {
        throw e;
      }
      sha256 = null; // no libcrypto 3 here: available() says so
    }
    CTX_NEW = ctxNew;
    CTX_FREE = ctxFree;
    INIT = init;
    UPDATE = update;
    FINAL = fin;
    SHA256 = sha256;
  }

  /** Whether libcrypto 3 and every call above could be bound. */
  public static boolean available() {
    return SHA256 != null;
  }

  /**
   * A new {@code EVP_MD_CTX} set up for SHA-256. It is freed ({@code EVP_MD_CTX_free}) once the
   * returned segment is unreachable, so its owner just keeps it in a field; every call with it
   * keeps it alive for the call's duration.
   *
   * @throws IllegalStateException if libcrypto is not {@link #available()} or fails
   */
  public static MemorySegment newSha256Context() {
    if (!available()) {
      throw new IllegalStateException(LIBRARY + " is not available");
    }
    MemorySegment raw;
    try {
      raw = (MemorySegment) CTX_NEW.invokeExact();
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
    if (raw.equals(MemorySegment.NULL)) {
      throw new IllegalStateException("EVP_MD_CTX_new returned NULL");
    }
    MemorySegment ctx = raw.reinterpret(Arena.ofAuto(), LibCrypto::free);
    initSha256(ctx);
    return ctx;
  }

  /** {@code EVP_DigestInit_ex(ctx, sha256, NULL)}: starts a new digest on {@code ctx}. */
  public static void initSha256(MemorySegment ctx) {
    try {
      check("EVP_DigestInit_ex", (int) INIT.invokeExact(ctx, SHA256, MemorySegment.NULL));
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  /**
   * {@code EVP_DigestUpdate(ctx, data, length)}. {@code data} may be a heap segment (a Java array,
   * read in place); only its address is passed, so it must hold at least {@code length} bytes.
   */
  public static void update(MemorySegment ctx, MemorySegment data, long length) {
    try {
      check("EVP_DigestUpdate", (int) UPDATE.invokeExact(ctx, data, length));
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  /**
   * {@code EVP_DigestFinal_ex(ctx, out, NULL)}: writes the {@link #SHA256_LENGTH}-byte digest to
   * {@code out} (heap or native). {@code ctx} then needs {@link #initSha256} before the next
   * digest.
   */
  public static void digestFinal(MemorySegment ctx, MemorySegment out) {
    if (out.byteSize() < SHA256_LENGTH) {
      throw new IllegalArgumentException("digest buffer of " + out.byteSize() + " bytes");
    }
    try {
      check("EVP_DigestFinal_ex", (int) FINAL.invokeExact(ctx, out, MemorySegment.NULL));
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  private static void free(MemorySegment ctx) {
    try {
      CTX_FREE.invokeExact(ctx);
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  private static void check(String call, int ret) {
    if (ret != 1) {
      throw new IllegalStateException(call + " returned " + ret);
    }
  }
}
