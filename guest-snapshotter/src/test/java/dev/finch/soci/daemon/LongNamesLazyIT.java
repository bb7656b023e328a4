package dev.finch.soci.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finch.soci.lazy.LazyPreparerFactory;
import dev.finch.soci.testing.SociRuns;
import dev.finch.soci.testing.SociRuns.Run;
import dev.finch.testkit.ContainerdFixture;
import dev.finch.testkit.ContainerdProcess;
import dev.finch.testkit.RegistryFixture;
import dev.finch.testkit.image.OciImage;
import dev.finch.testkit.image.TarLayer;
import dev.finch.testkit.image.TestImages;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Names at and over the kernel's limit of 255 bytes per path component, end to end: {@code soci
 * create} indexes a layer holding a file with a 255-byte name, one with a 255-byte UTF-8 name (85
 * characters) and one with a 300-byte name (warning about that one only); our daemon mounts the
 * layer lazily, and a container run by {@code ctr run --snapshotter soci} lists and reads the first
 * two with the right bytes while the third is not listed at all; the daemon's log names it once.
 */
class LongNamesLazyIT {
  static final String FITS = "a".repeat(255);
  static final String FITS_UTF8 = "\u20ac".repeat(85);
  static final String TOO_LONG = "b".repeat(300);
  static final String FITS_TEXT = "255 bytes of name\n";
  static final String UTF8_TEXT = "255 bytes of UTF-8 name\n";

  @TempDir static Path tmp;
  static RegistryFixture registry;
  static DaemonHarness daemon;
  static ContainerdFixture containerd;
  static OciImage image;
  static String ref;
  static Run created;

  @BeforeAll
  static void start() throws Exception {
    ContainerdFixture.assumeRoot();
    TarLayer data =
        TarLayer.builder()
            .dir("data")
            .file("data/" + FITS, FITS_TEXT)
            .file("data/" + FITS_UTF8, UTF8_TEXT)
            .file("data/" + TOO_LONG, "never seen\n")
            .file("data/plain.txt", "plain\n")
            .build();
    image = TestImages.busybox(tmp.resolve("layout"), "longnames", "v1", data);
    registry = RegistryFixture.builder().start();
    TestImages.push(image, registry.hostPort(), "it/longnames", "v1");
    ref = registry.hostPort() + "/it/longnames:v1";
    daemon = new DaemonHarness();
    daemon.start(new LazyPreparerFactory());
    containerd =
        ContainerdFixture.builder().proxySnapshotter("soci", daemon.socket).build().start();
    // Fetched without unpacking: containerd's own unpack of the layer fails on the 300-byte name,
    // which is why the warning of soci create says so.
    containerd.ctrIn("build", "content", "fetch", "--plain-http", ref).check();
    created = soci("--namespace", "build", "create", "--min-layer-size", "0", ref);
    assertThat(created.rc()).as(created.err()).isZero();
    Run pushed = soci("--namespace", "build", "push", "--plain-http", ref);
    assertThat(pushed.rc()).as(pushed.err()).isZero();
  }

  @AfterAll
  static void stop() {
    DaemonHarness.closeAll(containerd, daemon, registry);
  }

  static Run soci(String... args) {
    return SociRuns.soci(containerd.socket(), tmp.resolve("soci-cli"), args);
  }

  static String dataLayer() {
    return image.single().layers().get(1).blob().digest();
  }

  @Test
  void createWarnsAboutTheNameOverTheLimitOnly() {
    assertThat(created.out()).contains("layer " + dataLayer() + " -> ztoc sha256:");
    assertThat(created.err().lines().filter(l -> l.startsWith("soci: warning: ")))
        .containsExactly(
            "soci: warning: layer "
                + dataLayer()
                + ": entry \"data/"
                + TOO_LONG
                + "\" has a name of 300 bytes, over the kernel's limit of 255 bytes per path"
                + " component; a lazy mount of the layer leaves it out (with everything below it),"
                + " and containerd's own unpack of the layer would fail on it");
  }

  @Test
  void aContainerReadsNamesUpToTheLimitAndNeverSeesTheLongerOne() {
    Run pull = soci("--namespace", "default", "image", "rpull", "--plain-http", ref);
    assertThat(pull.rc()).as("%s\n%s\n%s", pull.out(), pull.err(), daemon.logText()).isZero();
    assertThat(pull.out()).contains("layer-" + dataLayer() + ": exists");

    ContainerdProcess.Result run =
        containerd.runOnSoci(
            ref,
            "longnames-",
            "sh",
            "-c",
            // the glob lists the names as bytes (busybox ls prints non-ASCII bytes as '?')
            "for f in /data/*; do echo \"${f#/data/}\"; done && ls /data | wc -l && echo ---"
                + " && stat -c %s \"/data/$1\" \"/data/$2\" && cat \"/data/$1\" \"/data/$2\""
                + " && if ls \"/data/$3\"; then echo LISTED; fi",
            "sh",
            FITS,
            FITS_UTF8,
            TOO_LONG);
    assertThat(run.ok())
        .as("run: %s\n%s\n%s", run.output(), containerd.logTail(), daemon.logText())
        .isTrue();
    String[] parts = run.stdout().split("---\n", 2);
    assertThat(parts[0].lines().map(String::strip).toList())
        .containsExactlyInAnyOrder(FITS, FITS_UTF8, "plain.txt", "3");
    assertThat(parts[1])
        .isEqualTo(FITS_TEXT.length() + "\n" + UTF8_TEXT.length() + "\n" + FITS_TEXT + UTF8_TEXT)
        .doesNotContain("LISTED");

    List<String> leftOut =
        daemon.logText().lines().filter(l -> l.contains("\"event\":\"entry-left-out\"")).toList();
    assertThat(leftOut).hasSize(1);
    assertThat(leftOut.getFirst())
        .contains("\"level\":\"warn\"")
        .contains("\"layer\":\"" + dataLayer() + "\"")
        .contains("\"entry\":\"data/" + TOO_LONG + "\"")
        .contains("300 bytes");
  }
}
