package dev.finch.bridge;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Reads ctr's output into the shapes finch prints (nerdctl-like image table, versions). */
final class CtrImageTable {
  private CtrImageTable() {}

  /**
   * {@code ctr images ls} (REF TYPE DIGEST SIZE PLATFORMS LABELS, size in two words) as a {@code
   * REPOSITORY TAG IMAGE ID SIZE} table.
   */
  static String reformat(String ctrOutput) {
    List<String[]> rows = new ArrayList<>();
    for (Image img : images(ctrOutput)) {
      String ref = img.ref();
      int colon = ref.lastIndexOf(':');
      boolean tagged = colon > ref.lastIndexOf('/');
      String digest = img.digest().startsWith("sha256:") ? img.digest().substring(7) : img.digest();
      rows.add(
          new String[] {
            tagged ? ref.substring(0, colon) : ref,
            tagged ? ref.substring(colon + 1) : "<none>",
            digest.substring(0, Math.min(12, digest.length())),
            img.size()
          });
    }
    StringBuilder b =
        new StringBuilder(
            String.format(
                Locale.ROOT, "%-48s %-16s %-14s %s%n", "REPOSITORY", "TAG", "IMAGE ID", "SIZE"));
    for (String[] r : rows) {
      b.append(String.format(Locale.ROOT, "%-48s %-16s %-14s %s%n", r[0], r[1], r[2], r[3]));
    }
    return b.toString();
  }

  /**
   * One row of {@code ctr images ls}.
   *
   * @param ref the image name
   * @param digest the target's digest ({@code sha256:...})
   * @param size the size as ctr writes it ({@code 3.5 MiB})
   */
  record Image(String ref, String digest, String size) {}

  /** The rows of {@code ctr images ls} output, its header skipped. */
  static List<Image> images(String ctrOutput) {
    List<Image> out = new ArrayList<>();
    String[] lines = ctrOutput.split("\\R");
    for (int i = 1; i < lines.length; i++) {
      String[] c = lines[i].trim().split("\\s+");
      if (c.length >= 5) {
        out.add(new Image(c[0], c[2], c[3] + " " + c[4]));
      }
    }
    return out;
  }

  /** The server (else client) version and revision from {@code ctr version}. */
  static Component containerdVersion(String ctrVersion) {
    String version = "unknown";
    String revision = "";
    boolean server = false;
    for (String line : ctrVersion.split("\\R")) {
      String t = line.trim();
      if (t.startsWith("Server:")) {
        server = true;
      } else if (t.startsWith("Version:") && (server || version.equals("unknown"))) {
        version = t.substring("Version:".length()).trim();
      } else if (t.startsWith("Revision:") && (server || revision.isEmpty())) {
        revision = t.substring("Revision:".length()).trim();
      }
    }
    return new Component("containerd", version, revision);
  }
}
