package dev.finch.soci.fs;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The kernel's limit on a name: no path component may be longer than {@value #NAME_MAX} bytes
 * (Linux's {@code NAME_MAX}; UTF-8 bytes, not characters). A tar may hold longer ones (PAX {@code
 * path} records and GNU long names have no such limit), but a mounted layer could list such an
 * entry and never let anyone look it up, so {@link LayerTree} leaves it out and {@code soci create}
 * warns about it.
 */
public final class EntryNames {
  /** The longest name of one path component, in bytes. */
  public static final int NAME_MAX = 255;

  private EntryNames() {}

  /**
   * A path no mount can show.
   *
   * @param path the normalised path up to and including the component that is too long, e.g. {@code
   *     a/<300 bytes>} for the entry {@code ./a/<300 bytes>/b}
   * @param bytes the length of that component as it would be mounted, in bytes
   */
  public record Overlong(String path, int bytes) {
    /** Why nothing at or below {@link #path} can be mounted, for users. */
    public String reason() {
      return "a name of "
          + bytes
          + " bytes, over the kernel's limit of "
          + NAME_MAX
          + " bytes per path component";
    }
  }

  /** The first component of the tar entry name {@code name} that no mount can show, if any. */
  public static Optional<Overlong> overlong(String name) {
    List<String> parts = new ArrayList<>();
    for (String c : name.split("/")) {
      if (!c.isEmpty() && !c.equals(".")) {
        parts.add(c);
      }
    }
    return overlong(parts);
  }

  /**
   * The first of {@code parts} (normalised components) longer than {@link #NAME_MAX} bytes as
   * mounted. The last component is mounted without its whiteout prefix ({@code .wh.name} is shown
   * as {@code name}); the other {@code .wh..wh.} markers are never shown.
   */
  static Optional<Overlong> overlong(List<String> parts) {
    for (int i = 0; i < parts.size(); i++) {
      String c = parts.get(i);
      if (i == parts.size() - 1 && c.startsWith(TreeBuilder.WHITEOUT_PREFIX)) {
        if (c.startsWith(TreeBuilder.WHITEOUT_META_PREFIX)) {
          return Optional.empty();
        }
        c = c.substring(TreeBuilder.WHITEOUT_PREFIX.length());
      }
      int bytes = c.getBytes(StandardCharsets.UTF_8).length;
      if (bytes > NAME_MAX) {
        return Optional.of(new Overlong(String.join("/", parts.subList(0, i + 1)), bytes));
      }
    }
    return Optional.empty();
  }
}
