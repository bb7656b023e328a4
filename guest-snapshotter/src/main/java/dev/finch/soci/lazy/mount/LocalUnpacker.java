package dev.finch.soci.lazy.mount;

import dev.finch.process.CommandResult;
import dev.finch.process.CommandSpec;
import dev.finch.process.ProcessCommandRunner;
import dev.finch.soci.oci.Descriptor;
import dev.finch.soci.oci.Digest;
import dev.finch.soci.oci.Json;
import dev.finch.soci.oci.Manifest;
import dev.finch.soci.oci.MediaTypes;
import dev.finch.soci.registry.RegistryClient;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.DigestInputStream;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * The "local snapshot" of a layer that has no zTOC in an image that has a SOCI index: the daemon
 * downloads the layer itself (digest checked while streaming), checks the uncompressed bytes
 * against the image config's diff_id, unpacks it with GNU tar (owners, modes, times, links,
 * devices, xattrs; {@code ..} members refused by tar) and converts overlay whiteouts: {@code
 * .wh.NAME} becomes a 0/0 character device, {@code .wh..wh..opq} the {@code
 * trusted.overlay.opaque=y} attribute. On any failure the directory is left empty, so the runtime
 * can unpack the layer itself.
 */
public final class LocalUnpacker {
  private static final Duration UNPACK_TIMEOUT = Duration.ofMinutes(30);
  private static final String WHITEOUT = ".wh.";
  private static final String OPAQUE = ".wh..wh..opq";
  private final ProcessCommandRunner runner = new ProcessCommandRunner();

  /**
   * Unpacks layer {@code layer} of image manifest {@code manifest} into {@code fsDir}; its diff_id
   * comes from the image config.
   */
  public void unpack(RegistryClient client, String repo, Digest manifest, Digest layer, Path fsDir)
      throws IOException {
    Manifest m = client.fetchManifest(repo, manifest).manifest();
    int i = 0;
    while (i < m.layers().size() && !m.layers().get(i).digest().equals(layer)) {
      i++;
    }
    if (i == m.layers().size()) {
      throw new IOException("layer " + layer + " is not in image manifest " + manifest);
    }
    ByteArrayOutputStream config = new ByteArrayOutputStream();
    client.fetchBlob(repo, m.config().digest(), config);
    String diffId =
        Json.MAPPER.readTree(config.toByteArray()).path("rootfs").path("diff_ids").path(i).asText();
    unpack(client, repo, m.layers().get(i), Digest.parse(diffId), fsDir);
  }

  void unpack(RegistryClient client, String repo, Descriptor layer, Digest diffId, Path fsDir)
      throws IOException {
    MediaTypes.Compression c = MediaTypes.layerCompression(layer.mediaType());
    if (c == MediaTypes.Compression.ZSTD) {
      throw new IOException("layer " + layer.digest() + ": zstd layers are not supported");
    }
    try {
      extract(client, repo, layer, c, diffId, fsDir);
      convertWhiteouts(fsDir);
    } catch (IOException | RuntimeException e) {
      // A blob digest mismatch is a RegistryException; either way the runtime gets an empty dir.
      try {
        clear(fsDir);
      } catch (IOException ce) {
        e.addSuppressed(ce);
      }
      throw e;
    }
  }

  private void extract(
      RegistryClient client,
      String repo,
      Descriptor layer,
      MediaTypes.Compression c,
      Digest diffId,
      Path fsDir)
      throws IOException {
    try (InputStream blob = client.openBlob(repo, layer.digest());
        InputStream plain =
            c == MediaTypes.Compression.GZIP
                ? new GZIPInputStream(new BufferedInputStream(blob, 1 << 16), 1 << 16)
                : blob;
        DigestInputStream dis = new DigestInputStream(plain, Digest.newSha256())) {
      CommandResult r =
          runner.run(
              CommandSpec.of(
                      "tar",
                      "-x",
                      "-p",
                      "--numeric-owner",
                      "--xattrs",
                      "--xattrs-include=*",
                      "-C",
                      fsDir.toString(),
                      "-f",
                      "-")
                  .withTimeout(UNPACK_TIMEOUT),
              dis);
      dis.transferTo(OutputStream.nullOutputStream());
      // The blob's digest is checked when its stream reaches the end; a decompressor may stop short
      // of
      // that (trailing bytes after the gzip member), so read it out.
      blob.transferTo(OutputStream.nullOutputStream());
      if (r.exit() != 0) {
        throw new IOException("unpacking layer " + layer.digest() + ": tar: " + r.err().strip());
      }
      Digest actual = Digest.fromSha256(dis.getMessageDigest().digest());
      if (!actual.equals(diffId)) {
        throw new IOException(
            "layer "
                + layer.digest()
                + ": uncompressed digest "
                + actual
                + " does not match diff_id "
                + diffId);
      }
    }
  }

  /**
   * Turns the layer's whiteout files into what overlayfs reads, as containerd's overlay converter
   * does: {@code .wh.NAME} becomes a 0/0 character device {@code NAME} with the whiteout's owner,
   * {@code .wh..wh..opq} the opaque attribute of its directory. Whiteouts inside an opaque
   * directory are dropped: the directory already hides everything below, and a device there would
   * be listed by readdir of the unmerged directory. Directories keep the times tar gave them.
   */
  private void convertWhiteouts(Path fsDir) throws IOException {
    List<Path> whiteouts;
    try (Stream<Path> s = Files.walk(fsDir)) {
      whiteouts =
          s.filter(p -> p.getFileName() != null && p.getFileName().toString().startsWith(WHITEOUT))
              .toList();
    }
    Map<Path, BasicFileAttributes> dirTimes = new HashMap<>();
    Set<Path> opaqueDirs = new HashSet<>();
    for (Path wh : whiteouts) {
      Path dir = wh.getParent();
      if (!dirTimes.containsKey(dir)) {
        dirTimes.put(
            dir, Files.readAttributes(dir, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS));
      }
      if (wh.getFileName().toString().equals(OPAQUE)) {
        opaqueDirs.add(dir);
      }
    }
    for (Path wh : whiteouts) {
      String name = wh.getFileName().toString();
      Path dir = wh.getParent();
      if (name.equals(OPAQUE)) {
        Files.delete(wh);
        check(
            runner.run(
                CommandSpec.of(
                    "setfattr", "-n", "trusted.overlay.opaque", "-v", "y", dir.toString())),
            wh);
      } else if (opaqueDirs.contains(dir)) {
        Files.delete(wh);
      } else {
        Map<String, Object> owner =
            Files.readAttributes(wh, "unix:uid,gid", LinkOption.NOFOLLOW_LINKS);
        Files.delete(wh);
        Path target = dir.resolve(name.substring(WHITEOUT.length()));
        check(runner.run(CommandSpec.of("mknod", target.toString(), "c", "0", "0")), wh);
        Files.setAttribute(target, "unix:uid", owner.get("uid"), LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(target, "unix:gid", owner.get("gid"), LinkOption.NOFOLLOW_LINKS);
      }
    }
    for (Map.Entry<Path, BasicFileAttributes> e : dirTimes.entrySet()) {
      Files.getFileAttributeView(
              e.getKey(), BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
          .setTimes(e.getValue().lastModifiedTime(), e.getValue().lastAccessTime(), null);
    }
  }

  private static void check(CommandResult r, Path wh) throws IOException {
    if (r.exit() != 0) {
      throw new IOException("converting whiteout " + wh + ": " + r.err().strip());
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
