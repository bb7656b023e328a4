package dev.finch.soci.fs;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A directory of a {@link LayerTree}, with its children sorted by name (the order {@code readdir}
 * returns them in; soci returns bbolt key order, which is the same byte order for ASCII names).
 *
 * <p>Hidden whiteout markers never appear as children: {@code .wh..wh..opq} sets {@link #opaque()},
 * {@code .wh.<name>} appears as a {@link LayerNode.Whiteout} called {@code <name>}.
 */
public final class Directory implements LayerNode {
  private final NodeAttributes attributes;
  private final long parentInode;
  private final boolean opaque;
  private final String[] names;
  private final LayerNode[] children;
  private final Map<String, LayerNode> byName;

  Directory(
      NodeAttributes attributes,
      long parentInode,
      boolean opaque,
      List<String> names,
      List<LayerNode> children) {
    if (names.size() != children.size()) {
      throw new IllegalArgumentException("names and children differ in size");
    }
    this.attributes = Objects.requireNonNull(attributes, "attributes");
    this.parentInode = parentInode;
    this.opaque = opaque;
    this.names = names.toArray(String[]::new);
    this.children = children.toArray(LayerNode[]::new);
    this.byName = HashMap.newHashMap(this.names.length);
    for (int i = 0; i < this.names.length; i++) {
      byName.put(this.names[i], this.children[i]);
    }
  }

  @Override
  public NodeAttributes attributes() {
    return attributes;
  }

  @Override
  public int typeBits() {
    return S_IFDIR;
  }

  /** Inode of the parent directory ({@code ..}); the root is its own parent. */
  public long parentInode() {
    return parentInode;
  }

  /** Whether the layer marked this directory opaque with a {@code .wh..wh..opq} entry. */
  public boolean opaque() {
    return opaque;
  }

  /** Number of children (excluding {@code .} and {@code ..}). */
  public int childCount() {
    return names.length;
  }

  /** Name of the {@code i}-th child in readdir order. */
  public String childName(int i) {
    return names[i];
  }

  /** The {@code i}-th child in readdir order. */
  public LayerNode child(int i) {
    return children[i];
  }

  /** The child called {@code name}, or {@code null}. */
  public LayerNode child(String name) {
    return byName.get(name);
  }

  /** Child names in readdir order. */
  public List<String> childNames() {
    return List.of(names);
  }

  @Override
  public String toString() {
    return "Directory[inode="
        + attributes.inode()
        + ", opaque="
        + opaque
        + ", children="
        + Arrays.toString(names)
        + "]";
  }
}
