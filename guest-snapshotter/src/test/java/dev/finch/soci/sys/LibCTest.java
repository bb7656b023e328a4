package dev.finch.soci.sys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LibCTest {
  @Test
  void lstatReadsInodeAndBlocksWithoutFollowingSymlinks(@TempDir Path tmp) throws Exception {
    Path file = Files.write(tmp.resolve("f"), new byte[100_000]);
    Path link = Files.createSymbolicLink(tmp.resolve("l"), file);
    LibC.FileStat st = LibC.lstat(file);
    assertThat(st.ino()).isEqualTo(((Number) Files.getAttribute(file, "unix:ino")).longValue());
    assertThat(st.dev()).isEqualTo(((Number) Files.getAttribute(file, "unix:dev")).longValue());
    assertThat(st.blocks() * 512)
        .as("a written 100 kB file has its blocks")
        .isGreaterThanOrEqualTo(100_000);
    Object linkIno = Files.getAttribute(link, "unix:ino", LinkOption.NOFOLLOW_LINKS);
    assertThat(LibC.lstat(link).ino())
        .isEqualTo(((Number) linkIno).longValue())
        .isNotEqualTo(st.ino());
  }

  @Test
  void failuresReturnOrCarryTheErrno(@TempDir Path tmp) {
    assertThatThrownBy(() -> LibC.lstat(tmp.resolve("absent")))
        .isInstanceOf(IOException.class)
        .hasMessageEndingWith("errno " + Errno.ENOENT);
    String absent = tmp.resolve("absent").toString();
    assertThat(LibC.umount2(absent, LibC.MNT_DETACH)).isEqualTo(Errno.ENOENT);
    assertThat(LibC.umount2(tmp.toString(), LibC.MNT_DETACH))
        .as("not a mount point")
        .isEqualTo(Errno.EINVAL);
    try (Arena a = Arena.ofConfined()) {
      MemorySegment out = a.allocate(LibC.STATVFS_SIZE);
      assertThat(LibC.statvfs(a.allocateFrom(absent), out)).isEqualTo(Errno.ENOENT);
    }
  }

  @Test
  void statvfsFillsTheStruct(@TempDir Path tmp) throws Exception {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment out = a.allocate(LibC.STATVFS_SIZE);
      assertThat(LibC.statvfs(a.allocateFrom(tmp.toString()), out)).isZero();
      // f_bsize, the first field, is the file system's block size
      assertThat(out.get(ValueLayout.JAVA_LONG, 0))
          .isEqualTo(Files.getFileStore(tmp).getBlockSize());
    }
  }
}
