package dev.finch.soci.snapshot.overlay;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Mount points from {@code /proc/self/mountinfo}, so cleanup never recursively deletes into a
 * mounted (possibly remote) filesystem.
 */
final class MountTable {
  private MountTable() {}

  /** Mount points at or below {@code dir}. */
  static List<Path> mountsUnder(Path dir) throws IOException {
    Path abs = dir.toAbsolutePath().normalize();
    List<Path> out = new ArrayList<>();
    for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
      String[] f = line.split(" ");
      if (f.length > 4) {
        Path mp = Path.of(unescape(f[4]));
        if (mp.startsWith(abs)) {
          out.add(mp);
        }
      }
    }
    return out;
  }

  /** mountinfo escapes space, tab, newline and backslash as {@code \ooo}. */
  static String unescape(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && i + 3 < s.length() && s.substring(i + 1, i + 4).matches("[0-7]{3}")) {
        b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
        i += 3;
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }
}
