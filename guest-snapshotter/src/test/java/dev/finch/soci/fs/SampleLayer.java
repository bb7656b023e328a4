package dev.finch.soci.fs;

import java.io.IOException;
import java.nio.file.Path;

/** The layer every mount test uses: one of each entry type plus the overlay markers. */
public final class SampleLayer {
  private SampleLayer() {}

  /** More than 100 characters, so it needs a PAX {@code path} record. */
  public static final String LONG_NAME = "long/" + "d".repeat(60) + "/" + "f".repeat(70) + ".txt";

  public static final byte[] ONE = {42};
  public static final byte[] PAGE = TestTar.bytes(4096, 1);
  public static final byte[] BIG = TestTar.bytes(1024 * 1024 + 3, 2);

  /** Writes the sample tar. */
  public static Path write(Path tar) throws IOException {
    return new TestTar()
        .dir("a", 0750, 1000, 1001)
        .dir("a/b/c", 0700, 0, 0)
        .file("a/empty", 0644, 1234, 5678, new byte[0])
        .file("a/one", 0640, 0, 0, ONE)
        .file("a/page", PAGE)
        .file("a/big", BIG)
        .file("a/setuid", 04755, 0, 0, TestTar.utf8("#!/bin/sh\n"))
        .file("a/sticky-setgid", 03775, 0, 0, new byte[0])
        .symlink("a/link", "one")
        .hardlink("a/hard", "a/one")
        .device("dev/null", false, 1, 3, 0666)
        .device("dev/sda", true, 8, 0, 0660)
        .fifo("dev/fifo", 0644)
        .file("a/.wh.gone", new byte[0])
        .dir("opq", 0755, 0, 0)
        .file("opq/.wh..wh..opq", new byte[0])
        .file("opq/kept", TestTar.utf8("kept\n"))
        .file(LONG_NAME, TestTar.utf8("long\n"))
        .file("x/y/implicit.txt", TestTar.utf8("implicit\n"))
        .file("a/xattr", TestTar.utf8("x\n"))
        .pax("SCHILY.xattr.user.foo", "bar")
        .pax("SCHILY.xattr.trusted.t", "tv")
        .pax("comment", "not an xattr")
        .write(tar);
  }
}
