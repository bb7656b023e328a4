package dev.finch.soci.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/** What every binding of this package shares: the linker, library lookup and errno capture. */
@SuppressWarnings("restricted") // library lookup and downcall linking are what this package is for
final class Native {
  private Native() {}

  static final Linker LINKER = Linker.nativeLinker();

  /** Layout of the segment a call made with {@link #ERRNO_OPTION} stores errno into. */
  static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();

  /** Makes a downcall save errno right after the call, before the JVM can overwrite it. */
  static final Linker.Option ERRNO_OPTION = Linker.Option.captureCallState("errno");

  private static final VarHandle ERRNO =
      CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));

  /** A shared library, loaded for the life of the JVM; IllegalArgumentException if absent. */
  static SymbolLookup library(String name) {
    return SymbolLookup.libraryLookup(name, Arena.global());
  }

  /** libc, which the JVM has loaded already. */
  static SymbolLookup libc() {
    return LINKER.defaultLookup();
  }

  /** A downcall handle for {@code name}; throws NoSuchElementException if the symbol is absent. */
  static MethodHandle downcall(
      SymbolLookup lookup, String name, FunctionDescriptor fd, Linker.Option... options) {
    return LINKER.downcallHandle(lookup.findOrThrow(name), fd, options);
  }

  /** The errno a call made with {@link #ERRNO_OPTION} left in {@code callState}. */
  static int errno(MemorySegment callState) {
    return (int) ERRNO.get(callState, 0L);
  }

  /**
   * Rethrows what {@code invokeExact} threw. A downcall itself throws nothing checked, so anything
   * here is a bug (wrong handle type, closed arena) and surfaces unchecked.
   */
  static RuntimeException rethrow(Throwable t) {
    if (t instanceof RuntimeException r) {
      return r;
    }
    if (t instanceof Error e) {
      throw e;
    }
    return new IllegalStateException("native call failed: " + t, t);
  }
}
