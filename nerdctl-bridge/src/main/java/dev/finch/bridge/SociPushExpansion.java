package dev.finch.bridge;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code push} with the soci snapshotter becomes: push the image with nerdctl and, at the same
 * time, {@code soci create --push} with our soci ({@link SociSteps}); nerdctl itself runs {@code
 * soci create}, then {@code soci push}, after its push ({@code pkg/snapshotterutil/sociutil.go}).
 * Platforms carry over, {@code --soci-span-size} and {@code --soci-min-layer-size} become {@code
 * --span-size} and {@code --min-layer-size}, {@code --insecure-registry} becomes {@code
 * --skip-verify --plain-http}. The image push itself is pinned to overlayfs so nerdctl does not
 * build a second index with whatever soci it finds.
 *
 * <p>Without {@code --soci-span-size} (or with nerdctl's {@code -1}), finch asks for {@link
 * #SPAN_SIZE}, not soci's 4 MiB: a container's read costs up to a span of download, and on the
 * benchmark images ({@code make bench-apps}) 1 MiB spans halved the bytes a start made the registry
 * serve, for zTOCs about twice as big; the reference 0.4.1 loads such indexes lazily as well
 * ({@code ReferenceDaemonLazyIT}).
 *
 * <p>finch also asks for {@link #LAZY_ZTOC}: zTOC skeletons next to the zTOCs, so that our daemon
 * fetches a zTOC's checkpoint windows only with the spans a container reads (the reference ignores
 * them), and for {@link #FILE_CHECKPOINTS}.
 */
final class SociPushExpansion {
  private SociPushExpansion() {}

  /** The span size finch's {@code push} builds SOCI indexes with unless told otherwise: 1 MiB. */
  static final long SPAN_SIZE = 1L << 20;

  /** Our soci create's flag for zTOC skeletons, which finch's {@code push} always asks for. */
  static final String LAZY_ZTOC = "--lazy-ztoc";

  /**
   * Our soci create's flag for a checkpoint before a small file that follows a big one, which
   * finch's {@code push} always asks for: the zTOC stays an ordinary one.
   */
  static final String FILE_CHECKPOINTS = "--file-checkpoints";

  static Translation.SociPush expand(NerdctlCall call) throws BridgeException {
    List<String> pushArgs = new ArrayList<>();
    List<String> platforms = new ArrayList<>();
    String span = null;
    String minLayer = null;
    boolean all = false;
    boolean insecure = call.hasGlobal("--insecure-registry");
    List<String> a = call.args();
    for (int i = 0; i < a.size(); i++) {
      String t = a.get(i);
      int eq = t.indexOf('=');
      String flag = t.startsWith("--") && eq > 0 ? t.substring(0, eq) : t;
      String inline = t.startsWith("--") && eq > 0 ? t.substring(eq + 1) : null;
      switch (flag) {
        case "--soci-span-size", "--soci-min-layer-size", "--snapshotter", "--storage-driver" -> {
          String v = inline != null ? inline : (i + 1 < a.size() ? a.get(++i) : "");
          if (flag.equals("--soci-span-size")) {
            span = v;
          } else if (flag.equals("--soci-min-layer-size")) {
            minLayer = v;
          }
        }
        case "--platform" -> {
          String v = inline != null ? inline : (i + 1 < a.size() ? a.get(++i) : "");
          platforms.add(v);
          pushArgs.add("--platform=" + v);
        }
        default -> {
          if (t.equals("--all-platforms")) {
            all = true;
          }
          if (t.equals("--insecure-registry") || t.equals("--insecure-registry=true")) {
            insecure = true;
          }
          pushArgs.add(t);
        }
      }
    }
    String ref = null;
    for (String t : pushArgs) {
      if (!t.startsWith("-")) {
        ref = t;
      }
    }
    if (ref == null) {
      throw new BridgeException("\"finch push\" requires exactly 1 argument: the image to push");
    }
    List<String> common = new ArrayList<>();
    if (all) {
      common.add("--all-platforms");
    }
    platforms.forEach(p -> common.add("--platform=" + p));
    List<String> create = new ArrayList<>(common);
    create.add("--span-size=" + (span != null && !span.equals("-1") ? span : SPAN_SIZE));
    create.add(LAZY_ZTOC);
    create.add(FILE_CHECKPOINTS);
    if (minLayer != null && !minLayer.equals("-1")) {
      create.add("--min-layer-size=" + minLayer);
    }
    List<String> push = new ArrayList<>(); // the registry's flags: create has the platforms
    if (insecure) {
      push.add("--skip-verify");
      push.add("--plain-http");
    }
    List<String> globals = new ArrayList<>();
    for (int i = 0; i < call.globals().size(); i++) {
      String g = call.globals().get(i);
      if (g.equals("--snapshotter") || g.equals("--storage-driver")) {
        i++;
      } else if (!g.startsWith("--snapshotter=") && !g.startsWith("--storage-driver=")) {
        globals.add(g);
      }
    }
    globals.addFirst("--snapshotter=overlayfs");
    NerdctlCall imagePush =
        new NerdctlCall(globals, call.command(), pushArgs, call.env(), call.warnings());
    return new Translation.SociPush(imagePush, ref, create, push);
  }
}
