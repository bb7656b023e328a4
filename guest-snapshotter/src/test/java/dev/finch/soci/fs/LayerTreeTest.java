package dev.finch.soci.fs;

import static dev.finch.soci.fs.Entries.dir;
import static dev.finch.soci.fs.Entries.file;
import static dev.finch.soci.fs.Entries.hardlink;
import static dev.finch.soci.fs.Entries.symlink;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LayerTreeTest {

  private static LayerNode node(LayerTree t, String path) {
    return t.resolve(path).orElseThrow(() -> new AssertionError("no node at " + path));
  }

  @Test
  void namesAreNormalised() {
    LayerTree t =
        LayerTree.build(List.of(dir("./a/", 0755), file("/a//./b", 1, 0), file("a/c/", 2, 0)));
    assertThat(((Directory) node(t, "a")).childNames()).containsExactly("b", "c");
    assertThat(node(t, "./a/b/")).isSameAs(node(t, "a/b"));
  }

  @Test
  void aModTimeThatIsNotRfc3339IsAnInvalidLayer() {
    // a zTOC's mod_time is any string; was: DateTimeParseException
    assertThatThrownBy(() -> LayerEntry.parseModTime("2020-01-01 00:00\n"))
        .isInstanceOf(InvalidLayerException.class)
        .hasMessage("mod time \"2020-01-01 00:00?\" is not an RFC 3339 time");
    assertThat(LayerEntry.parseModTime("2020-01-01T00:00:00.5Z"))
        .isEqualTo(Instant.parse("2020-01-01T00:00:00.5Z"));
  }

  @Test
  void dotDotIsRejected() {
    assertThatThrownBy(() -> LayerTree.build(List.of(file("a/../../etc/passwd", 1, 0))))
        .isInstanceOf(InvalidLayerException.class)
        .hasMessageContaining("escapes");
  }

  @Test
  void implicitParentsAre0755DirsWithNlink2() {
    LayerTree t = LayerTree.build(List.of(file("x/y/f", 1, 0)));
    LayerNode x = node(t, "x");
    assertThat(x).isInstanceOf(Directory.class);
    assertThat(x.mode()).isEqualTo(040755);
    assertThat(x.attributes().nlink()).isEqualTo(3);
    assertThat(node(t, "x/y").attributes().nlink()).isEqualTo(2);
    assertThat(node(t, "x/y").attributes().modTime()).isEqualTo(Instant.EPOCH);
    assertThat(t.root().attributes().nlink()).isEqualTo(3);
  }

  @Test
  void inodesFollowCreationOrderAndAreStable() {
    List<LayerEntry> es =
        List.of(file("x/y/f", 1, 0), dir("a", 0700), hardlink("a/h", "x/y/f"), file("a/g", 1, 0));
    LayerTree t = LayerTree.build(es);
    assertThat(t.root().inode()).isEqualTo(LayerTree.ROOT_INODE);
    assertThat(node(t, "x").inode()).isEqualTo(4);
    assertThat(node(t, "x/y").inode()).isEqualTo(5);
    assertThat(node(t, "x/y/f").inode()).isEqualTo(6);
    assertThat(node(t, "a").inode()).isEqualTo(7);
    assertThat(node(t, "a/h").inode()).isEqualTo(6);
    assertThat(node(t, "a/g").inode()).isEqualTo(8);
    assertThat(t.node(8)).isSameAs(node(t, "a/g"));
    assertThat(t.node(2)).isNull();
    assertThat(t.node(99)).isNull();
    LayerTree again = LayerTree.build(es);
    assertThat(node(again, "a/g").inode()).isEqualTo(8);
    assertThat(t.nodeCount()).isEqualTo(6);
  }

  @Test
  void hardLinksShareTheNodeAndCountLinks() {
    LayerTree t =
        LayerTree.build(List.of(file("f", 10, 512), hardlink("g", "f"), hardlink("d/h", "./f")));
    assertThat(node(t, "g")).isSameAs(node(t, "f")).isSameAs(node(t, "d/h"));
    assertThat(node(t, "f").attributes().nlink()).isEqualTo(3);
    assertThat(((LayerNode.RegularFile) node(t, "g")).uncompressedOffset()).isEqualTo(512);
  }

  @Test
  void overwritingOneNameOfAHardLinkDropsItsCount() {
    LayerTree t =
        LayerTree.build(List.of(file("f", 10, 512), hardlink("g", "f"), file("g", 3, 2048)));
    assertThat(node(t, "f").attributes().nlink()).isEqualTo(1);
    assertThat(node(t, "g").size()).isEqualTo(3);
  }

  @Test
  void badHardLinksAreRejected() {
    assertThatThrownBy(() -> LayerTree.build(List.of(hardlink("g", "missing"))))
        .isInstanceOf(InvalidLayerException.class)
        .hasMessageContaining("g -> missing");
    assertThatThrownBy(() -> LayerTree.build(List.of(dir("d", 0755), hardlink("g", "d"))))
        .isInstanceOf(InvalidLayerException.class);
  }

  @Test
  void directoriesCountSubdirectories() {
    LayerTree t =
        LayerTree.build(
            List.of(dir("d", 0755), dir("d/a", 0755), dir("d/b", 0755), file("d/f", 0, 0)));
    assertThat(node(t, "d").attributes().nlink()).isEqualTo(4);
  }

  @Test
  void whiteoutsBecomeCharDevice00AndMarkersAreHidden() {
    LayerTree t =
        LayerTree.build(
            List.of(
                dir("d", 0755),
                file("d/.wh.gone", 0, 0),
                file("d/.wh..wh..opq", 0, 0),
                file("d/.wh..wh.plnk", 0, 0),
                file("d/kept", 1, 0)));
    Directory d = (Directory) node(t, "d");
    assertThat(d.childNames()).containsExactly("gone", "kept");
    LayerNode wh = d.child("gone");
    assertThat(wh).isInstanceOf(LayerNode.Whiteout.class);
    assertThat(wh.mode()).isEqualTo(LayerNode.S_IFCHR);
    assertThat(wh.rdev()).isZero();
    assertThat(wh.attributes().uid()).isZero();
    assertThat(wh.attributes().nlink()).isEqualTo(1);
    assertThat(wh.attributes().modTime()).isEqualTo(Entries.T);
    assertThat(d.opaque()).isTrue();
    assertThat(d.attributes().xattrs()).containsExactly(Map.entry("trusted.overlay.opaque", "y"));
  }

  @Test
  void opaqueXattrCanUseTheUserNamespace() {
    LayerTree t = LayerTree.build(List.of(file("d/.wh..wh..opq", 0, 0)), OpaqueXattr.USER);
    assertThat(node(t, "d").attributes().xattrs())
        .containsExactly(Map.entry("user.overlay.opaque", "y"));
  }

  @Test
  void repeatedDirectoryKeepsChildrenAndTakesNewAttributes() {
    LayerTree t = LayerTree.build(List.of(dir("d", 0755), file("d/f", 1, 0), dir("d/", 0700)));
    assertThat(node(t, "d").mode()).isEqualTo(040700);
    assertThat(((Directory) node(t, "d")).childNames()).containsExactly("f");
  }

  @Test
  void repeatedFileReplacesEarlierOne() {
    LayerTree t = LayerTree.build(List.of(file("f", 1, 512), file("f", 7, 4096)));
    assertThat(((LayerNode.RegularFile) node(t, "f")).uncompressedOffset()).isEqualTo(4096);
    assertThat(t.root().childCount()).isEqualTo(1);
  }

  @Test
  void rootEntrySetsRootAttributes() {
    LayerTree t = LayerTree.build(List.of(dir("./", 0700)));
    assertThat(t.root().mode()).isEqualTo(040700);
    assertThat(t.root().inode()).isEqualTo(1);
    assertThatThrownBy(() -> LayerTree.build(List.of(file("/", 0, 0))))
        .isInstanceOf(InvalidLayerException.class);
  }

  @Test
  void fileUsedAsParentIsRejected() {
    assertThatThrownBy(() -> LayerTree.build(List.of(file("f", 0, 0), file("f/g", 0, 0))))
        .isInstanceOf(InvalidLayerException.class)
        .hasMessageContaining("not a directory");
  }

  @Test
  void xattrsComeOnlyFromSchilyRecords() {
    LayerTree t =
        LayerTree.build(
            List.of(
                file(
                    "f",
                    Map.of(
                        "SCHILY.xattr.user.a",
                        "1",
                        "SCHILY.xattr.security.capability",
                        "c",
                        "path",
                        "f",
                        "mtime",
                        "1.5"))));
    assertThat(node(t, "f").attributes().xattrs())
        .containsExactly(Map.entry("security.capability", "c"), Map.entry("user.a", "1"));
  }

  @Test
  void modeKeepsSetuidSetgidStickyAndTypeComesFromEntryType() {
    LayerEntry weird =
        new LayerEntry("s", EntryType.REG, 0107755, 0, 0, 0, "", 0, 0, Entries.T, Map.of(), 0);
    LayerTree t = LayerTree.build(List.of(weird, symlink("l", "s")));
    assertThat(node(t, "s").mode()).isEqualTo(0107755);
    assertThat(node(t, "l").mode()).isEqualTo(0120777);
    assertThat(node(t, "l").size()).isEqualTo(1);
  }

  @Test
  void devicesEncodeRdevLikeGlibc() {
    LayerEntry dev =
        new LayerEntry("d", EntryType.BLOCK, 0660, 0, 0, 0, "", 259, 65536, Entries.T, Map.of(), 0);
    LayerNode n = node(LayerTree.build(List.of(dev)), "d");
    assertThat(n.mode()).isEqualTo(060660);
    assertThat(n.rdev()).isEqualTo((259L << 8) | (65536L & 0xff) | ((65536L & ~0xffL) << 12));
  }

  @Test
  void namesUpToTheKernelsLimitAreKeptAndLongerOnesLeftOutWithWhatIsBelowThem() {
    String ok = "a".repeat(255);
    String tooLong = "b".repeat(256);
    String euro = "\u20ac"; // three bytes in UTF-8: the limit is in bytes, not characters
    String okUtf8 = euro.repeat(85); // 255 bytes, 85 characters
    String longUtf8 = euro.repeat(86); // 258 bytes, 86 characters
    LayerTree t =
        LayerTree.build(
            List.of(
                dir("d", 0755),
                file("d/" + ok, 1, 0),
                file("d/" + okUtf8, 2, 0),
                file("d/" + tooLong, 3, 0),
                file("d/" + longUtf8, 4, 0),
                dir("./" + tooLong + "/", 0755),
                file(tooLong + "/child", 5, 0),
                file(tooLong + "/sub/deeper", 6, 0),
                hardlink("d/link", tooLong + "/child"),
                file("e/" + ok, 8, 0),
                // a 259-byte whiteout entry is shown as the 255-byte name it hides
                file("d/.wh." + "c".repeat(255), 0, 0),
                file("d/after", 9, 0)));
    assertThat(((Directory) node(t, "d")).childNames())
        .containsExactlyInAnyOrder(ok, okUtf8, "c".repeat(255), "after");
    assertThat(node(t, "d/" + "c".repeat(255))).isInstanceOf(LayerNode.Whiteout.class);
    assertThat(t.root().childNames()).containsExactly("d", "e");
    assertThat(node(t, "e/" + ok).size()).isEqualTo(8);
    assertThat(node(t, "d/" + okUtf8).size()).isEqualTo(2);
    assertThat(t.resolve(tooLong)).isEmpty();
    assertThat(t.resolve(tooLong + "/child")).isEmpty();
    assertThat(t.leftOut())
        .containsExactly(
            new LayerTree.LeftOut(
                "d/" + tooLong,
                "a name of 256 bytes, over the kernel's limit of 255 bytes per path component"),
            new LayerTree.LeftOut(
                "d/" + longUtf8,
                "a name of 258 bytes, over the kernel's limit of 255 bytes per path component"),
            new LayerTree.LeftOut(
                tooLong,
                "a name of 256 bytes, over the kernel's limit of 255 bytes per path component"),
            new LayerTree.LeftOut(
                "d/link", "a hard link to " + tooLong + "/child, which is left out"));
    // left-out entries take no inode: the numbering stays a function of what is shown
    assertThat(node(t, "d/after").inode()).isEqualTo(node(t, "e/" + ok).inode() + 2);
  }

  @Test
  void tocTypesAndTimesParse() {
    assertThat(EntryType.fromToc("hardlink")).isEqualTo(EntryType.HARDLINK);
    assertThatThrownBy(() -> EntryType.fromToc("socket"))
        .isInstanceOf(InvalidLayerException.class)
        .hasMessageContaining("got \"socket\"");
    assertThat(LayerEntry.parseModTime("2006-01-02T15:04:05.999999999Z"))
        .isEqualTo(Instant.ofEpochSecond(1136214245L, 999999999));
    assertThat(LayerEntry.parseModTime("2006-01-02T15:04:05-07:00"))
        .isEqualTo(Instant.ofEpochSecond(1136239445L));
  }
}
