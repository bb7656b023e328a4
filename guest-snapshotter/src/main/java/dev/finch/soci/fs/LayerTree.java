package dev.finch.soci.fs;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The immutable file tree of one layer, built from its TOC entries, that the FUSE filesystem
 * serves.
 *
 * <p>Semantics follow soci's metadata reader and {@code fs/layer/node.go}:
 *
 * <ul>
 *   <li>Names are normalised ({@code ./} and {@code /} prefixes, trailing {@code /}, {@code .} and
 *       empty components removed); {@code ..} is rejected.
 *   <li>Missing parent directories are created as {@code 0755 root:root} directories with mtime 0.
 *   <li>Entries apply in tar order; a repeated name replaces the earlier node, except that a
 *       repeated directory keeps its children and only takes the new attributes.
 *   <li>A hard link is the target's node under another name; its {@code nlink} counts the names.
 *       Directories have {@code nlink = 2 + subdirectories}.
 *   <li>{@code .wh.<name>} becomes a {@link LayerNode.Whiteout} called {@code <name>}; {@code
 *       .wh..wh..opq} makes its directory report {@code <opaque xattr>=y}; any other {@code
 *       .wh..wh.*} entry is hidden.
 *   <li>Extended attributes are the {@code SCHILY.xattr.*} PAX records.
 *   <li>An entry with a path component longer than {@link EntryNames#NAME_MAX} bytes is left out,
 *       with everything below it and every hard link to it: the kernel refuses such a name, so it
 *       could be listed but never looked up. {@link #leftOut} says what was left out and why.
 * </ul>
 *
 * <p><b>Inode numbers.</b> The root is {@value #ROOT_INODE} (the FUSE root node id, so the FUSE
 * node id of every node equals its {@code st_ino}). {@code 2} and {@code 3} are reserved for soci's
 * {@code .soci-snapshotter} state directory and its {@code <digest>.json} file. Every other node
 * gets the next number from {@value #FIRST_ENTRY_INODE} upwards at the moment it is created while
 * entries are applied in order: explicit entries, whiteouts and implicit parent directories alike.
 * Hard links and left-out entries take no number; a replaced node's number is not reused. The
 * mapping is therefore a pure function of the entry list and is the same on every mount.
 */
public final class LayerTree {
  /** Inode of the layer root. */
  public static final long ROOT_INODE = 1;

  /** First inode given to a TOC entry. */
  public static final long FIRST_ENTRY_INODE = 4;

  /**
   * Entries of the layer that the tree does not show.
   *
   * @param path the normalised path left out (with everything below it)
   * @param reason why, for users
   */
  public record LeftOut(String path, String reason) {}

  private final Directory root;
  private final LayerNode[] byInode;
  private final int nodeCount;
  private final List<LeftOut> leftOut;

  LayerTree(Directory root, LayerNode[] byInode, int nodeCount, List<LeftOut> leftOut) {
    this.root = root;
    this.byInode = byInode;
    this.nodeCount = nodeCount;
    this.leftOut = leftOut;
  }

  /** Builds the tree with {@link OpaqueXattr#TRUSTED}. */
  public static LayerTree build(List<LayerEntry> entries) {
    return build(entries, OpaqueXattr.TRUSTED);
  }

  /**
   * Builds the tree from entries in tar order.
   *
   * @throws InvalidLayerException on a {@code ..} path, a dangling or directory hard link, a
   *     non-directory used as a parent, or a non-directory entry naming the root
   */
  public static LayerTree build(List<LayerEntry> entries, OpaqueXattr opaqueXattr) {
    TreeBuilder b = new TreeBuilder(Objects.requireNonNull(opaqueXattr, "opaqueXattr"));
    for (LayerEntry e : entries) {
      b.add(e);
    }
    return b.freeze();
  }

  /** The root directory. */
  public Directory root() {
    return root;
  }

  /** The node with inode {@code inode}, or {@code null} if there is none. */
  public LayerNode node(long inode) {
    return inode >= 0 && inode < byInode.length ? byInode[(int) inode] : null;
  }

  /** What the layer holds but the tree leaves out, one record per path, in tar order. */
  public List<LeftOut> leftOut() {
    return leftOut;
  }

  /** Number of distinct nodes, the root included (a hard-linked file counts once). */
  public int nodeCount() {
    return nodeCount;
  }

  /** The node at {@code path} (normalised like an entry name), following no symlinks. */
  public Optional<LayerNode> resolve(String path) {
    LayerNode cur = root;
    for (String c : PathNames.split(path)) {
      if (!(cur instanceof Directory d)) {
        return Optional.empty();
      }
      cur = d.child(c);
      if (cur == null) {
        return Optional.empty();
      }
    }
    return Optional.of(cur);
  }
}
