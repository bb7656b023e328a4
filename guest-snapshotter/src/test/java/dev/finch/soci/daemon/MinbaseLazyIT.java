package dev.finch.soci.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finch.soci.cli.MinbaseGetFileIT;
import dev.finch.soci.lazy.LazyPreparerFactory;
import dev.finch.soci.testing.SociRuns;
import dev.finch.testkit.ContainerdFixture;
import dev.finch.testkit.ContainerdProcess;
import dev.finch.testkit.MountCleaner;
import dev.finch.testkit.RegistryFixture;
import java.io.BufferedInputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A debootstrap minbase rootfs layer lazily mounted by our daemon (indexed, pushed, rpulled through
 * the registry): every regular file reads back through the FUSE mount with the right bytes, mode,
 * owner, size and mtime, read by 32 concurrent readers.
 */
class MinbaseLazyIT {
  record Expected(
      String name, String sha256, int mode, long uid, long gid, long size, long mtimeSeconds) {}

  @TempDir static Path tmp;
  static RegistryFixture registry;
  static DaemonHarness daemon;
  static ContainerdFixture containerd;
  static String ref;

  @BeforeAll
  static void start() throws Exception {
    ContainerdFixture.assumeRoot();
    MinbaseGetFileIT.ensureRootfsTar();
    Path gz = tmp.resolve("layer.tar.gz");
    ContainerdProcess.run(
            List.of("sh", "-c", "gzip -6 -n -c " + MinbaseGetFileIT.TAR + " > " + gz),
            Duration.ofMinutes(5))
        .check();
    Path layout =
        MinbaseGetFileIT.writeLayout(
            tmp.resolve("layout"),
            gz,
            MinbaseGetFileIT.sha256(Files.newInputStream(MinbaseGetFileIT.TAR)));
    registry = RegistryFixture.builder().start();
    ref = registry.hostPort() + "/it/minbase:bookworm";
    ContainerdProcess.run(
            List.of(
                "skopeo",
                "copy",
                "--preserve-digests",
                "--dest-tls-verify=false",
                "oci:" + layout + ":bookworm",
                "docker://" + ref),
            Duration.ofMinutes(5))
        .check();
    daemon = new DaemonHarness();
    daemon.start(new LazyPreparerFactory());
    containerd =
        ContainerdFixture.builder().proxySnapshotter("soci", daemon.socket).build().start();
    Path cli = tmp.resolve("soci-cli");
    SociRuns.publishIndex(containerd, cli, ref, "--min-layer-size", "0");
    SociRuns.Run pull = SociRuns.rpull(containerd, cli, ref);
    assertThat(pull.rc()).as(pull.out() + pull.err() + daemon.logText()).isZero();
    assertThat(pull.out()).contains(": exists");
  }

  @AfterAll
  static void stop() {
    DaemonHarness.closeAll(containerd, daemon, registry);
  }

  @Test
  void everyFileHasTheRightBytesAndAttributesWith32Readers() throws Exception {
    List<Path> mounts = MountCleaner.mountsUnder(daemon.root.resolve("snapshotter/snapshots"));
    assertThat(mounts).hasSize(1);
    Path fs = mounts.getFirst();
    List<Expected> files = new ArrayList<>();
    try (TarArchiveInputStream in =
        new TarArchiveInputStream(
            new BufferedInputStream(Files.newInputStream(MinbaseGetFileIT.TAR), 1 << 20))) {
      TarArchiveEntry e;
      while ((e = in.getNextEntry()) != null) {
        if (e.getLinkFlag() == TarConstants.LF_NORMAL
            || e.getLinkFlag() == TarConstants.LF_OLDNORM) {
          files.add(
              new Expected(
                  e.getName(),
                  MinbaseGetFileIT.sha256(new MinbaseGetFileIT.NoCloseInputStream(in)),
                  e.getMode() & 07777,
                  e.getLongUserId(),
                  e.getLongGroupId(),
                  e.getSize(),
                  e.getModTime().toInstant().getEpochSecond()));
        }
      }
    }
    assertThat(files).hasSizeGreaterThan(5000);
    ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
    long t0 = System.nanoTime();
    try (ExecutorService pool = Executors.newFixedThreadPool(32)) {
      List<Future<?>> fs32 = new ArrayList<>();
      for (int t = 0; t < 32; t++) {
        int worker = t;
        fs32.add(
            pool.submit(
                () -> {
                  for (int i = worker; i < files.size(); i += 32) {
                    Expected x = files.get(i);
                    Path p = fs.resolve(x.name());
                    try {
                      Map<String, Object> a =
                          Files.readAttributes(
                              p,
                              "unix:mode,uid,gid,size,lastModifiedTime",
                              LinkOption.NOFOLLOW_LINKS);
                      int mode = (Integer) a.get("mode") & 07777;
                      long mtime =
                          ((FileTime) a.get("lastModifiedTime")).toInstant().getEpochSecond();
                      if (mode != x.mode()
                          || ((Integer) a.get("uid")) != x.uid()
                          || ((Integer) a.get("gid")) != x.gid()
                          || (Long) a.get("size") != x.size()
                          || mtime != x.mtimeSeconds()) {
                        problems.add(x.name() + ": attributes " + a + " expected " + x);
                      } else if (!MinbaseGetFileIT.sha256(Files.newInputStream(p))
                          .equals(x.sha256())) {
                        problems.add(x.name() + ": content differs");
                      }
                    } catch (Exception e) {
                      problems.add(x.name() + ": " + e);
                    }
                  }
                  return null;
                }));
      }
      for (Future<?> f : fs32) {
        f.get();
      }
    }
    double secs = (System.nanoTime() - t0) / 1e9;
    System.out.printf(
        "minbase lazy: %d files checked through FUSE by 32 readers in %.1f s, %d problems%n",
        files.size(), secs, problems.size());
    assertThat(problems).as("first problems: " + problems.stream().limit(5).toList()).isEmpty();
  }
}
