/**
 * Bindings to the native libraries the guest needs, through the FFM API ({@code
 * java.lang.foreign}), one class per library: {@link dev.finch.soci.sys.LibC} (umount2, statvfs,
 * lstat), {@link dev.finch.soci.sys.LibZ} (inflate), {@link dev.finch.soci.sys.LibCrypto} (SHA-256
 * via EVP) and {@link dev.finch.soci.sys.LibFuse} (the low-level API, with {@link
 * dev.finch.soci.sys.FuseStructs} and the upcall table into {@link
 * dev.finch.soci.sys.FuseLowLevelOps}).
 *
 * <p>Rules: this is the only package that uses {@code Linker}, {@code SymbolLookup}, {@code
 * FunctionDescriptor}, upcall stubs or the other restricted FFM methods, so native access ({@code
 * --enable-native-access}) is what it alone needs. It knows C signatures, struct layouts (Linux
 * LP64, glibc; x86_64 where noted) and errno values, and nothing of the callers: it returns errno
 * and return codes, and callers decide what a failure means. It depends on no other package of the
 * project. Plain {@code MemorySegment} buffers elsewhere are fine.
 */
package dev.finch.soci.sys;
