package dev.finch.soci.daemon;

import dev.finch.soci.snapshot.RemotePreparer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A stand-in for the lazy-loading layer: for layers it knows (by {@code cri.layer-digest}) it
 * bind-mounts a ready-made tree onto the snapshot's {@code fs} directory and answers {@link
 * RemotePreparer.Remote}, so the daemon commits the snapshot and containerd gets ALREADY_EXISTS;
 * everything else is deferred to containerd. Like a FUSE mount, the bind mount does not survive the
 * daemon and must be re-made on restart.
 */
final class BindMountPreparer implements RemotePreparer {
  private final Map<String, Path> trees;
  final List<String> prepared = new CopyOnWriteArrayList<>();
  final List<Path> unmounted = new CopyOnWriteArrayList<>();

  /** The labels of every {@link #expect} hint, in order. */
  final List<Map<String, String>> expected = new CopyOnWriteArrayList<>();

  @Override
  public void expect(Map<String, String> labels) {
    expected.add(Map.copyOf(labels));
  }

  BindMountPreparer(Map<String, Path> treesByLayerDigest) {
    this.trees = Map.copyOf(treesByLayerDigest);
  }

  @Override
  public Outcome tryPrepare(String key, Path fsDir, Map<String, String> labels) throws IOException {
    Path tree = trees.get(labels.getOrDefault("containerd.io/snapshot/cri.layer-digest", ""));
    if (tree == null) {
      return new Defer("no tree for this layer");
    }
    run("mount", "--bind", tree.toString(), fsDir.toString());
    prepared.add(key);
    return new Remote();
  }

  @Override
  public void unmount(Path fsDir) throws IOException {
    run("umount", fsDir.toString());
    unmounted.add(fsDir);
  }

  private static void run(String... argv) throws IOException {
    Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
    try {
      String out = new String(p.getInputStream().readAllBytes());
      if (p.waitFor() != 0) {
        throw new IOException(String.join(" ", argv) + " failed: " + out.strip());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }
}
