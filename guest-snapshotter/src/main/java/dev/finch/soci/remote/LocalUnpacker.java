package dev.finch.soci.remote;

import dev.finch.soci.oci.Descriptor;
import dev.finch.soci.oci.Digest;
import dev.finch.soci.oci.MediaTypes;
import dev.finch.soci.registry.RegistryClient;
import dev.finch.soci.util.process.CommandResult;
import dev.finch.soci.util.process.CommandSpec;
import dev.finch.soci.util.process.ProcessCommandRunner;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * The "local snapshot" of a layer that has no zTOC in an image that has a SOCI index: the daemon
 * downloads the layer itself (digest checked while streaming), checks the uncompressed bytes against
 * the image config's diff_id, unpacks it with GNU tar (owners, modes, times, links, devices, xattrs;
 * {@code ..} members refused by tar) and converts overlay whiteouts: {@code .wh.NAME} becomes a 0/0
 * character device, {@code .wh..wh..opq} the {@code trusted.overlay.opaque=y} attribute.
 */
final class LocalUnpacker {
  private static final Duration UNPACK_TIMEOUT = Duration.ofMinutes(30);
  private final ProcessCommandRunner runner = new ProcessCommandRunner();

  void unpack(RegistryClient client, String repo, Descriptor layer, Digest diffId, Path fsDir) throws IOException {
    MediaTypes.Compression c = MediaTypes.layerCompression(layer.mediaType());
    if (c == MediaTypes.Compression.ZSTD) {
      throw new IOException("layer " + layer.digest() + ": zstd layers are not supported");
    }
    try (InputStream blob = client.openBlob(repo, layer.digest());
        InputStream plain = c == MediaTypes.Compression.GZIP
            ? new GZIPInputStream(new BufferedInputStream(blob, 1 << 16), 1 << 16) : blob;
        DigestInputStream dis = new DigestInputStream(plain, Digest.newSha256())) {
      CommandResult r = runner.run(
          new CommandSpec(List.of("tar", "-x", "-p", "--numeric-owner", "--xattrs", "--xattrs-include=*",
              "-C", fsDir.toString(), "-f", "-"), java.util.Map.of(), null, UNPACK_TIMEOUT), dis);
      dis.transferTo(OutputStream.nullOutputStream());
      if (r.exit() != 0) {
        throw new IOException("unpacking layer " + layer.digest() + ": tar: " + r.err().strip());
      }
      Digest actual = Digest.fromSha256(dis.getMessageDigest().digest());
      if (!actual.equals(diffId)) {
        throw new IOException("layer " + layer.digest() + ": uncompressed digest " + actual + " does not match diff_id " + diffId);
      }
    } catch (IOException e) {
      clear(fsDir);
      throw e;
    }
    convertWhiteouts(fsDir);
  }

  private void convertWhiteouts(Path fsDir) throws IOException {
    List<Path> whiteouts;
    try (Stream<Path> s = Files.walk(fsDir)) {
      whiteouts = s.filter(p -> p.getFileName() != null && p.getFileName().toString().startsWith(".wh.")).toList();
    }
    for (Path wh : whiteouts) {
      String name = wh.getFileName().toString();
      Files.delete(wh);
      CommandResult r = name.equals(".wh..wh..opq")
          ? runner.run(CommandSpec.of("setfattr", "-n", "trusted.overlay.opaque", "-v", "y", wh.getParent().toString()))
          : runner.run(CommandSpec.of("mknod", wh.resolveSibling(name.substring(4)).toString(), "c", "0", "0"));
      if (r.exit() != 0) {
        throw new IOException("converting whiteout " + wh + ": " + r.err().strip());
      }
    }
  }

  private static void clear(Path fsDir) throws IOException {
    try (Stream<Path> s = Files.walk(fsDir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        if (!p.equals(fsDir)) {
          Files.deleteIfExists(p);
        }
      }
    }
  }
}
