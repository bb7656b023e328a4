package dev.finch.testkit.image;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Packs an OCI layout directory into an OCI archive (a plain tar), the input of {@code ctr images
 * import}.
 */
public final class OciArchive {
  private OciArchive() {}

  /**
   * Writes {@code oci-layout}, {@code index.json} and every blob of {@code layout} into {@code
   * tarFile}.
   */
  public static Path pack(Path layout, Path tarFile) {
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tarFile), 1 << 16);
        TarArchiveOutputStream tar = new TarArchiveOutputStream(out, "UTF-8")) {
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
      dir(tar, "blobs/");
      dir(tar, "blobs/sha256/");
      List<Path> blobs;
      try (Stream<Path> s = Files.list(layout.resolve("blobs/sha256"))) {
        blobs = new ArrayList<>(s.sorted().toList());
      }
      for (Path b : blobs) {
        file(tar, "blobs/sha256/" + b.getFileName(), b);
      }
      file(tar, "oci-layout", layout.resolve("oci-layout"));
      file(tar, "index.json", layout.resolve("index.json"));
      tar.finish();
      return tarFile;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot pack " + layout, e);
    }
  }

  private static void dir(TarArchiveOutputStream tar, String name) throws IOException {
    TarArchiveEntry e = new TarArchiveEntry(name);
    e.setModTime(Date.from(TarLayer.DEFAULT_MTIME));
    e.setMode(040755);
    tar.putArchiveEntry(e);
    tar.closeArchiveEntry();
  }

  private static void file(TarArchiveOutputStream tar, String name, Path p) throws IOException {
    TarArchiveEntry e = new TarArchiveEntry(name);
    e.setModTime(Date.from(TarLayer.DEFAULT_MTIME));
    e.setMode(0100644);
    e.setSize(Files.size(p));
    tar.putArchiveEntry(e);
    try (InputStream in = Files.newInputStream(p)) {
      in.transferTo(tar);
    }
    tar.closeArchiveEntry();
  }
}
