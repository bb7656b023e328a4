package dev.finch.soci.index;

import dev.finch.soci.containerd.PlatformSelection;
import dev.finch.soci.oci.Descriptor;
import dev.finch.soci.oci.ImageIndex;
import dev.finch.soci.oci.Json;
import dev.finch.soci.oci.Manifest;
import dev.finch.soci.oci.MediaTypes;
import dev.finch.soci.oci.Platform;
import dev.finch.soci.store.ArtifactsDb;
import dev.finch.soci.store.LocalContentStore;
import dev.finch.soci.util.FileTrees;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * {@code soci convert --standalone}: the v2 conversion on OCI image layouts (a directory, or a tar
 * of one), with no containerd. The output layout holds every input blob plus the zTOCs, SOCI
 * indexes, rewritten manifests and the new image index, which {@code index.json} points at.
 */
public final class StandaloneConversion {
  private final Path root;
  private final IndexOptions opts;
  private final PlatformSelection selection;
  private final boolean archive;

  public StandaloneConversion(
      Path root, IndexOptions opts, PlatformSelection selection, boolean archive) {
    this.root = root;
    this.opts = opts;
    this.selection = selection;
    this.archive = archive;
  }

  /**
   * Converts the layout (or OCI archive) at {@code src} into {@code dst}, reporting each layer's
   * outcome to {@code report}; returns the new image index's descriptor.
   *
   * @throws InvalidLayoutException when {@code src} is not a convertible layout
   */
  public Descriptor convert(Path src, Path dst, Consumer<String> report) throws IOException {
    if (!Files.exists(src)) {
      throw new InvalidLayoutException("no such OCI layout: " + src);
    }
    Path work = Files.createTempDirectory("soci-convert-");
    try {
      Path layout = archive ? work.resolve("layout") : dst;
      Files.createDirectories(layout);
      if (Files.isDirectory(src)) {
        copyTree(src, layout);
      } else {
        untar(src, layout);
      }
      Path indexJson = layout.resolve("index.json");
      if (!Files.isRegularFile(indexJson)) {
        throw new InvalidLayoutException(src + " is not an OCI image layout (no index.json)");
      }
      LocalContentStore store = new LocalContentStore(layout);
      ImageIndex top = Json.read(Files.readAllBytes(indexJson), ImageIndex.class);
      List<Descriptor> images =
          top.manifests().stream().filter(d -> !V2Conversion.isSociIndexEntry(d)).toList();
      if (images.size() != 1) {
        throw new InvalidLayoutException(
            src + ": index.json must reference exactly one image, found " + images.size());
      }
      Descriptor image = images.getFirst();
      byte[] imageBytes = store.readAll(image.digest());
      List<Descriptor> platformManifests = new ArrayList<>();
      Platform single = null;
      if (MediaTypes.isIndex(image.mediaType())) {
        platformManifests.addAll(Json.read(imageBytes, ImageIndex.class).manifests());
      } else {
        Manifest m = Json.read(imageBytes, Manifest.class);
        single = configPlatform(store, m);
        platformManifests.add(image.withPlatform(single));
      }
      IndexCreator creator =
          new IndexCreator(
              store,
              new ArtifactsDb(work.resolve("db")),
              ZtocMakers.standard(),
              l -> store.open(l.digest()),
              "standalone");
      List<V2Conversion.PlatformIndex> built = new ArrayList<>();
      for (Descriptor pd : platformManifests) {
        if (!MediaTypes.isManifest(pd.mediaType())
            || V2Conversion.isSociIndexEntry(pd)
            || !store.exists(pd.digest())) {
          continue;
        }
        Platform p = pd.platform() != null ? pd.platform() : Platform.host();
        if (!selected(p, platformManifests.size() == 1)) {
          continue;
        }
        Manifest m = Json.read(store.readAll(pd.digest()), Manifest.class);
        IndexCreator.Result r =
            creator.create(
                pd, m, p, SociIndex.Version.V2, opts, null, o -> report.accept(o.message()));
        r.index().ifPresent(idx -> built.add(new V2Conversion.PlatformIndex(pd.digest(), p, idx)));
      }
      if (built.isEmpty()) {
        throw new InvalidLayoutException(LayerOutcome.noZtocsMessage(List.of(), opts));
      }
      V2Conversion.Result conv =
          V2Conversion.convert(
              image, imageBytes, single, built, d -> store.exists(d) ? store.readAll(d) : null);
      for (V2Conversion.Blob b : conv.manifests()) {
        store.write(b.descriptor().digest(), b.bytes(), java.util.Map.of());
      }
      store.write(conv.index().descriptor().digest(), conv.index().bytes(), java.util.Map.of());
      Descriptor out = conv.index().descriptor().withAnnotations(image.annotations());
      Files.write(indexJson, Json.bytes(ImageIndex.of(List.of(out))));
      if (archive) {
        tar(layout, dst);
      }
      return out;
    } finally {
      FileTrees.delete(work);
    }
  }

  private boolean selected(Platform p, boolean onlyOne) {
    if (selection.all() || (onlyOne && selection.isDefault())) {
      return true;
    }
    List<Platform> wanted =
        selection.isDefault() ? List.of(Platform.host()) : selection.requested();
    return wanted.stream().anyMatch(w -> w.matches(p));
  }

  private static Platform configPlatform(LocalContentStore store, Manifest m) throws IOException {
    try {
      var node = Json.MAPPER.readTree(store.readAll(m.config().digest()));
      String os = node.path("os").asText("linux");
      String arch = node.path("architecture").asText(Platform.host().architecture());
      String variant = node.path("variant").asText(null);
      return Platform.of(os, arch, variant);
    } catch (NoSuchFileException e) {
      return Platform.host();
    }
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> s = Files.walk(from)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        Path t = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(t);
        } else {
          Files.copy(p, t, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }

  private static void untar(Path archive, Path to) throws IOException {
    try (TarArchiveInputStream in =
        new TarArchiveInputStream(new BufferedInputStream(Files.newInputStream(archive)))) {
      TarArchiveEntry e;
      while ((e = in.getNextEntry()) != null) {
        Path t = to.resolve(e.getName()).normalize();
        if (!t.startsWith(to)) {
          throw new InvalidLayoutException(
              archive + ": entry " + e.getName() + " escapes the layout");
        }
        if (e.isDirectory()) {
          Files.createDirectories(t);
        } else if (e.isFile()) {
          Files.createDirectories(t.getParent());
          Files.copy(in, t, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    } catch (IOException e) {
      throw new InvalidLayoutException(archive + " is not an OCI archive (tar): " + e.getMessage());
    }
  }

  private static void tar(Path layout, Path dst) throws IOException {
    Path tmp = Files.createTempFile(dst.toAbsolutePath().getParent(), ".oci-archive-", ".tar");
    try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(tmp));
        TarArchiveOutputStream tar = new TarArchiveOutputStream(os);
        Stream<Path> s = Files.walk(layout)) {
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      for (Path p : s.sorted().toList()) {
        if (p.equals(layout) || !Files.isRegularFile(p)) {
          continue;
        }
        TarArchiveEntry e = new TarArchiveEntry(p.toFile(), layout.relativize(p).toString());
        tar.putArchiveEntry(e);
        try (InputStream in = Files.newInputStream(p)) {
          in.transferTo(tar);
        }
        tar.closeArchiveEntry();
      }
    }
    Files.move(tmp, dst, StandardCopyOption.REPLACE_EXISTING);
  }
}
