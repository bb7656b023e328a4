package dev.finch.testkit.image;

import dev.finch.testkit.ContainerdFixture;
import dev.finch.testkit.ContainerdProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Ready-made test images and the two ways to hand them over: {@code ctr images import} into a
 * {@link ContainerdFixture}, and {@code skopeo copy} to a registry.
 */
public final class TestImages {
  /** The statically linked busybox of Debian's busybox-static package. */
  public static final Path HOST_BUSYBOX = Path.of("/bin/busybox");

  /** Applets linked to busybox in {@link #busyboxLayer}. */
  public static final List<String> APPLETS =
      List.of("sh", "cat", "sha256sum", "ls", "echo", "sleep", "true", "test", "wc", "stat");

  private TestImages() {}

  /**
   * A layer with {@code /bin/busybox} (from the host) and its applets as symlinks, plus /etc and
   * /tmp.
   */
  public static TarLayer busyboxLayer() {
    byte[] busybox;
    try {
      busybox = Files.readAllBytes(HOST_BUSYBOX);
    } catch (IOException e) {
      throw new UncheckedIOException("busybox-static is required (" + HOST_BUSYBOX + ")", e);
    }
    TarLayer.Builder b = TarLayer.builder().dir("bin").file("bin/busybox", busybox, 0755);
    for (String applet : APPLETS) {
      b.symlink("bin/" + applet, "busybox");
    }
    return b.dir("etc").file("etc/hostname", "finch-test\n").dir("tmp", 01777).build();
  }

  /**
   * A single-platform linux/amd64 busybox image tagged {@code name} ({@code tag} in {@code
   * index.json}), with {@code extraLayers} on top.
   */
  public static OciImage busybox(Path layoutDir, String name, String tag, TarLayer... extraLayers) {
    OciLayoutWriter w = new OciLayoutWriter(layoutDir);
    ImageBuilder ib = w.image(name, tag).layer(busyboxLayer(), OciLayoutWriter.Compression.GZIP);
    for (TarLayer l : extraLayers) {
      ib.layer(l, OciLayoutWriter.Compression.GZIP);
    }
    return ib.env("PATH=/bin").cmd("sh").write();
  }

  /**
   * {@link ContainerdFixture#importArchive} of the image's layout (packed into an OCI archive next
   * to it). Without {@code allPlatforms}, containerd keeps only the host platform's content of a
   * multi-platform image.
   */
  public static ContainerdProcess.Result importInto(
      ContainerdFixture containerd, OciImage image, boolean allPlatforms) {
    Path archive = image.layout().resolveSibling(image.layout().getFileName() + ".tar");
    OciArchive.pack(image.layout(), archive);
    return allPlatforms
        ? containerd.importArchive(archive, "--all-platforms")
        : containerd.importArchive(archive);
  }

  /**
   * {@code skopeo copy --all --preserve-digests} of {@code oci:<layout>:<tag>} to {@code
   * docker://<registry>/<repository>:<destTag>} over plain HTTP. Digests are preserved (without the
   * flag skopeo gzips uncompressed layers), so SOCI indexes built locally match the pushed image.
   */
  public static ContainerdProcess.Result push(
      OciImage image, String registry, String repository, String destTag) {
    List<String> argv =
        List.of(
            "skopeo",
            "copy",
            "--all",
            "--preserve-digests",
            "--dest-tls-verify=false",
            "oci:" + image.layout() + ":" + image.tag(),
            "docker://" + registry + "/" + repository + ":" + destTag);
    return ContainerdProcess.run(argv, Duration.ofMinutes(5)).check();
  }
}
