package dev.finch.soci.ztoc.fbs;

/** Maps a schema field index to its vtable byte offset. */
final class Slots {
  private static final int VTABLE_HEADER = 4;
  private static final int VOFFSET_SIZE = 2;

  private Slots() {}

  static int vt(int slot) {
    return VTABLE_HEADER + VOFFSET_SIZE * slot;
  }
}
