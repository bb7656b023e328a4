package dev.finch.soci.fs;

import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** Mutable first pass of {@link LayerTree#build}: applies entries in tar order, then freezes. */
final class TreeBuilder {
  static final String WHITEOUT_PREFIX = ".wh.";
  static final String WHITEOUT_META_PREFIX = ".wh..wh.";
  static final String OPAQUE_MARKER = ".wh..wh..opq";
  static final int IMPLICIT_DIR_PERMISSIONS = 0755;

  /**
   * A node under construction. {@code entry} is null for implicit directories and the default root.
   */
  private static final class MNode {
    final long inode;
    final boolean whiteout;
    LayerEntry entry;
    int links = 1;
    boolean opaque;
    LayerNode frozen;
    final TreeMap<String, MNode> children;

    MNode(long inode, LayerEntry entry, boolean directory, boolean whiteout) {
      this.inode = inode;
      this.entry = entry;
      this.whiteout = whiteout;
      this.children = directory ? new TreeMap<>() : null;
    }

    boolean isDirectory() {
      return children != null;
    }
  }

  private final OpaqueXattr opaqueXattr;
  private final MNode root = new MNode(LayerTree.ROOT_INODE, null, true, false);
  private long nextInode = LayerTree.FIRST_ENTRY_INODE;
  // by path, so the entries below a left-out directory add no second record
  private final Map<String, LayerTree.LeftOut> leftOut = new LinkedHashMap<>();

  TreeBuilder(OpaqueXattr opaqueXattr) {
    this.opaqueXattr = opaqueXattr;
  }

  void add(LayerEntry e) {
    List<String> parts = PathNames.split(e.name());
    if (parts.isEmpty()) {
      if (e.type() != EntryType.DIR) {
        throw new InvalidLayerException(
            "entry " + e.name() + " names the root but is a " + e.type().tocName());
      }
      root.entry = e;
      return;
    }
    Optional<EntryNames.Overlong> overlong = EntryNames.overlong(parts);
    if (overlong.isPresent()) {
      String path = overlong.get().path();
      leftOut.putIfAbsent(path, new LayerTree.LeftOut(path, overlong.get().reason()));
      return;
    }
    MNode parent = directoryFor(parts.subList(0, parts.size() - 1), e);
    String base = parts.getLast();
    if (base.startsWith(WHITEOUT_PREFIX)) {
      if (base.equals(OPAQUE_MARKER)) {
        parent.opaque = true;
      } else if (!base.startsWith(WHITEOUT_META_PREFIX)
          && base.length() > WHITEOUT_PREFIX.length()) {
        put(
            parent,
            base.substring(WHITEOUT_PREFIX.length()),
            new MNode(nextInode++, e, false, true));
      }
      return;
    }
    MNode existing = parent.children.get(base);
    switch (e.type()) {
      case DIR -> {
        if (existing != null && existing.isDirectory()) {
          existing.entry = e;
        } else {
          put(parent, base, new MNode(nextInode++, e, true, false));
        }
      }
      case HARDLINK -> {
        List<String> targetParts = PathNames.split(e.linkName());
        if (EntryNames.overlong(targetParts).isPresent()) {
          String path = String.join("/", parts);
          leftOut.putIfAbsent(
              path,
              new LayerTree.LeftOut(
                  path, "a hard link to " + e.linkName() + ", which is left out"));
          return;
        }
        MNode target = lookup(targetParts);
        if (target == null || target.isDirectory() || target.whiteout) {
          throw new InvalidLayerException(
              "hard link "
                  + e.name()
                  + " -> "
                  + e.linkName()
                  + ": target must be an earlier non-directory entry");
        }
        if (target != existing) {
          target.links++;
          put(parent, base, target);
        }
      }
      default -> put(parent, base, new MNode(nextInode++, e, false, false));
    }
  }

  private static void put(MNode parent, String name, MNode node) {
    MNode old = parent.children.put(name, node);
    if (old != null && old != node) {
      old.links--;
    }
  }

  private MNode directoryFor(List<String> parts, LayerEntry e) {
    MNode cur = root;
    for (String c : parts) {
      MNode next = cur.children.get(c);
      if (next == null || next.whiteout) {
        next = new MNode(nextInode++, null, true, false);
        put(cur, c, next);
      } else if (!next.isDirectory()) {
        throw new InvalidLayerException(
            "entry "
                + e.name()
                + ": parent component \""
                + c
                + "\" is a "
                + next.entry.type().tocName()
                + ", not a directory");
      }
      cur = next;
    }
    return cur;
  }

  private MNode lookup(List<String> parts) {
    MNode cur = root;
    for (String c : parts) {
      if (!cur.isDirectory()) {
        return null;
      }
      cur = cur.children.get(c);
      if (cur == null) {
        return null;
      }
    }
    return cur;
  }

  LayerTree freeze() {
    LayerNode[] byInode = new LayerNode[Math.toIntExact(nextInode)];
    int[] count = new int[1];
    Directory r = (Directory) freeze(root, LayerTree.ROOT_INODE, byInode, count);
    return new LayerTree(r, byInode, count[0], List.copyOf(leftOut.values()));
  }

  private LayerNode freeze(MNode n, long parentInode, LayerNode[] byInode, int[] count) {
    if (n.frozen != null) {
      return n.frozen;
    }
    LayerNode out;
    if (n.isDirectory()) {
      List<String> names = List.copyOf(n.children.keySet());
      List<LayerNode> kids = new java.util.ArrayList<>(names.size());
      int subdirs = 0;
      for (MNode c : n.children.values()) {
        kids.add(freeze(c, n.inode, byInode, count));
        if (c.isDirectory()) {
          subdirs++;
        }
      }
      Map<String, String> xattrs = new HashMap<>(n.entry == null ? Map.of() : n.entry.xattrs());
      if (n.opaque) {
        xattrs.put(opaqueXattr.xattrName(), OpaqueXattr.OPAQUE_VALUE);
      }
      NodeAttributes a =
          n.entry == null
              ? new NodeAttributes(
                  n.inode, IMPLICIT_DIR_PERMISSIONS, 0, 0, Instant.EPOCH, 2 + subdirs, xattrs)
              : attributes(n, 2 + subdirs, xattrs);
      out = new Directory(a, parentInode, n.opaque, names, kids);
    } else if (n.whiteout) {
      out =
          new LayerNode.Whiteout(
              new NodeAttributes(n.inode, 0, 0, 0, n.entry.modTime(), 1, Map.of()));
    } else {
      LayerEntry e = n.entry;
      NodeAttributes a = attributes(n, n.links, e.xattrs());
      out =
          switch (e.type()) {
            case REG -> new LayerNode.RegularFile(a, e.size(), e.uncompressedOffset());
            case SYMLINK -> new LayerNode.Symlink(a, e.linkName());
            case CHAR -> new LayerNode.Device(a, false, e.devMajor(), e.devMinor());
            case BLOCK -> new LayerNode.Device(a, true, e.devMajor(), e.devMinor());
            case FIFO -> new LayerNode.Fifo(a);
            case DIR, HARDLINK -> throw new IllegalStateException("unreachable: " + e.type());
          };
    }
    n.frozen = out;
    count[0]++;
    byInode[Math.toIntExact(n.inode)] = out;
    return out;
  }

  private static NodeAttributes attributes(MNode n, int nlink, Map<String, String> xattrs) {
    LayerEntry e = n.entry;
    return new NodeAttributes(
        n.inode,
        (int) (e.mode() & NodeAttributes.PERMISSION_MASK),
        e.uid(),
        e.gid(),
        e.modTime(),
        nlink,
        xattrs);
  }
}
