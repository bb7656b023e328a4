package dev.finch.soci.fs;

import java.util.ArrayList;
import java.util.List;

/**
 * Normalises tar entry names the way soci's {@code cleanEntryPath} does ({@code Clean("/"+name)}
 * without the leading slash), except that a {@code ..} component is rejected instead of being
 * clamped at the root: a layer that climbs out of its root is malformed, and silently re-rooting it
 * would hide that.
 */
final class PathNames {
  private PathNames() {}

  /**
   * Splits {@code name} into its components, dropping empty and {@code .} components.
   *
   * @return the components; empty for the root ({@code "./"}, {@code "/"}, {@code ""})
   * @throws InvalidLayerException if a component is {@code ..} or the name contains NUL
   */
  static List<String> split(String name) {
    if (name.indexOf('\0') >= 0) {
      throw new InvalidLayerException("entry name contains NUL: " + name.replace('\0', '?'));
    }
    List<String> out = new ArrayList<>();
    for (String c : name.split("/")) {
      if (c.isEmpty() || c.equals(".")) {
        continue;
      }
      if (c.equals("..")) {
        throw new InvalidLayerException("entry name escapes the layer root: " + name);
      }
      out.add(c);
    }
    return out;
  }
}
