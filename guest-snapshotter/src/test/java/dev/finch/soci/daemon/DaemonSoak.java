package dev.finch.soci.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finch.soci.testing.SociRuns;
import dev.finch.testkit.ContainerdFixture;
import dev.finch.testkit.ContainerdProcess;
import dev.finch.testkit.FaultProxy;
import dev.finch.testkit.FaultProxy.Fault;
import dev.finch.testkit.Fixtures;
import dev.finch.testkit.MountCleaner;
import dev.finch.testkit.RegistryFixture;
import dev.finch.testkit.image.OciImage;
import dev.finch.testkit.image.TarLayer;
import dev.finch.testkit.image.TestImages;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The soak of {@code make soak} (not part of {@code make test}; the name matches neither surefire's
 * nor failsafe's default patterns, so it runs only as {@code -Dit.test=DaemonSoak}).
 *
 * <p>100 containers over 10 minutes, 4 at a time, each in its own containerd namespace per worker,
 * from 5 lazily loaded images (random files, SOCI indexes made by our {@code soci create} with 256
 * KiB to 1 MiB spans), pulled with {@code soci image rpull} and run with {@code ctr run
 * --snapshotter soci}, all through a {@link FaultProxy} in front of the registry that switches
 * random faults of every kind on and off. The daemon is a separate process with the launcher's JVM
 * options; its RSS, threads and open fds are sampled every 10 s. After each container its image is
 * removed, so layers are mounted and unmounted all along and spans are fetched again.
 *
 * <p>Passes only if every read gave the right sha256 or EIO (never wrong bytes), nearly every
 * container ran (a pull may fail under faults, after retries), fds and RSS at the end are within
 * the slack below of their warm-up values, and nothing is left mounted under the daemon root, while
 * it runs and after SIGTERM. {@code -Dsoak.minutes}, {@code -Dsoak.containers}, {@code -Dsoak.seed}
 * and {@code -Dsoak.faults} (comma-separated kinds) change the run.
 */
class DaemonSoak {
  private static final long MINUTES = Long.getLong("soak.minutes", 10);
  private static final int CONTAINERS = Integer.getInteger("soak.containers", 100);
  private static final long SEED = Long.getLong("soak.seed", System.currentTimeMillis());
  private static final List<String> FAULTS =
      List.of(
          System.getProperty("soak.faults", "drop,truncate,reset,flip,status,slow,stall")
              .split(",", -1));
  private static final int WORKERS = 4;
  private static final Duration WINDOW = Duration.ofMinutes(MINUTES);
  // The first fifth (2 of 10 minutes): every code path has run, the JIT has compiled the hot ones,
  // the heap has grown to its working size and the HTTP pool holds its connections.
  private static final Duration WARM_UP = WINDOW.dividedBy(5);
  private static final Duration SAMPLE_EVERY = Duration.ofSeconds(10);
  // After the last container: idle HTTP connections time out (the JDK client keeps them 30 s).
  private static final Duration QUIET = Duration.ofSeconds(40);
  private static final int FETCHING_TIMEOUT_SEC = 10;
  // Open fds at the end may exceed the warm-up maximum by this many: a class-path jar is opened on
  // the first load of a class from it, so a code path first taken after the warm-up (a rare fault)
  // opens one more for good; and the registry client's pool may hold a few more idle connections.
  // A leak of one fd per container or per request (100 containers, thousands of requests) is far
  // above it.
  private static final int FD_SLACK = 16;
  // RSS at the end may be 1.25 x the RSS after the warm-up: the heap may still grow within -Xmx to
  // its free-ratio target, C1 compiles code paths first taken late, metaspace takes their classes,
  // and malloc arenas fragment. A leak of per-container or per-span state over 100 containers and
  // ~150 MB of spans fetched many times over grows far beyond it.
  private static final double RSS_SLACK = 1.25;
  private static final int[] IMAGE_MB = {20, 25, 30, 35, 40};
  private static final int[] SPAN_SIZES = {256 << 10, 512 << 10, 1 << 20, 256 << 10, 512 << 10};
  private static final int FILES_PER_CONTAINER = 4;
  private static final int PULL_ATTEMPTS = 5;
  private static final Pattern SUM_LINE = Pattern.compile("(?m)^([0-9a-f]{64})\\s+(\\S+)$");

  @TempDir Path tmp;

  private final List<String> wrong = new CopyOnWriteArrayList<>();
  private final List<String> unexplained = new CopyOnWriteArrayList<>();
  private final List<String> notRun = new CopyOnWriteArrayList<>();
  private final AtomicLong correct = new AtomicLong();
  private final AtomicLong eio = new AtomicLong();
  private final AtomicLong pullRetries = new AtomicLong();
  private final AtomicLong slowestContainerMs = new AtomicLong();
  private final List<Sample> samples = new CopyOnWriteArrayList<>();
  private final Map<String, long[]> faultTally = new ConcurrentHashMap<>();

  private ContainerdFixture containerd;

  /** One file of a soak image and the sha256 of its content. */
  private record SoakFile(String path, String sha256) {}

  /** One image: its reference through the proxy, its data layer and files. */
  private record SoakImage(String ref, String dataLayer, List<SoakFile> files) {}

  /**
   * One sample of the daemon process: seconds since the window opened, RSS (and its anonymous and
   * file-backed parts: mapped zTOCs count as the latter), threads, fds.
   */
  private record Sample(
      long second, long rssKb, long anonKb, long fileKb, long threads, long fds) {}

  @Test
  @Timeout(value = 45, unit = TimeUnit.MINUTES)
  void soak() throws Exception {
    ContainerdFixture.assumeRoot();
    System.out.printf(
        "soak: seed %d, %d containers over %d min, faults %s%n", SEED, CONTAINERS, MINUTES, FAULTS);
    RegistryFixture registry = null;
    FaultProxy proxy = null;
    DaemonChild daemon = null;
    try {
      registry = RegistryFixture.builder().start();
      proxy = FaultProxy.inFrontOf(registry);
      daemon = startDaemon();
      containerd =
          ContainerdFixture.builder().proxySnapshotter("soci", daemon.socket).build().start();
      List<SoakImage> images = buildImages(registry, proxy);
      run(proxy, daemon, images);
      check(proxy, daemon);
    } finally {
      DaemonChild d = daemon;
      Fixtures.closeAll(containerd, () -> keepLog(d), d, proxy, registry);
    }
  }

  /** {@code DaemonMain} as a child JVM with the launcher's options, as systemd would run it. */
  private static DaemonChild startDaemon() throws Exception {
    Launcher launcher = Launcher.read();
    List<String> options = new ArrayList<>(launcher.jvmOptions());
    String extra = System.getProperty("soak.daemonJvm", "").strip();
    if (!extra.isEmpty()) { // for a diagnosis, e.g. native memory tracking
      options.addAll(Arrays.asList(extra.split("\\s+")));
    }
    DaemonChild d =
        new DaemonChild("[blob]\nfetching_timeout_sec = " + FETCHING_TIMEOUT_SEC + "\n")
            .jvm(options, launcher.environment(), "info")
            .start();
    System.out.printf("soak: daemon pid %d, options %s%n", d.pid(), options);
    return d;
  }

  private static void keepLog(DaemonChild d) throws IOException {
    if (d != null && Files.exists(d.log)) {
      Files.copy(d.log, Path.of("target", "soak-daemon.log"), StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /**
   * The daemon's JVM options and environment from {@code scripts/lib/launchers.sh}, the one place
   * they are written down, so the soak measures the process as it ships.
   */
  private record Launcher(List<String> jvmOptions, Map<String, String> environment) {
    static Launcher read() throws IOException {
      Path script = Path.of("").toAbsolutePath().getParent().resolve("scripts/lib/launchers.sh");
      String text = Files.readString(script, StandardCharsets.UTF_8);
      List<String> options = new ArrayList<>();
      options.addAll(words(text, "LAUNCH_DAEMON_OPTS"));
      options.addAll(words(text, "LAUNCH_COMMON_OPTS"));
      Map<String, String> env = new LinkedHashMap<>();
      // e.g. MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-2}: the default applies
      Matcher m =
          Pattern.compile("(\\w+)=\\$\\{\\w+:-([^}]*)}").matcher(value(text, "LAUNCH_DAEMON_ENV"));
      while (m.find()) {
        env.put(m.group(1), m.group(2));
      }
      assertThat(options).as("daemon options in " + script).contains("-XX:+UseSerialGC");
      return new Launcher(List.copyOf(options), env);
    }

    private static List<String> words(String text, String name) {
      return Arrays.asList(value(text, name).trim().split("\\s+"));
    }

    private static String value(String text, String name) {
      Matcher m = Pattern.compile("(?m)^" + name + "=([\"'])(.*)\\1$").matcher(text);
      assertThat(m.find()).as(name + " in launchers.sh").isTrue();
      return m.group(2);
    }
  }

  /**
   * Builds and pushes the 5 images (busybox and a data layer of random files of 32 KiB to 3 MiB)
   * and publishes a SOCI index for each, all straight to the registry; the soak then uses them
   * through the proxy.
   */
  private List<SoakImage> buildImages(RegistryFixture registry, FaultProxy proxy) throws Exception {
    List<SoakImage> images = new ArrayList<>();
    for (int i = 0; i < IMAGE_MB.length; i++) {
      Random sizes = new Random(SEED + i);
      TarLayer.Builder data = TarLayer.builder().dir("data");
      List<SoakFile> files = new ArrayList<>();
      long total = 0;
      for (int j = 0; total < IMAGE_MB[i] * (1L << 20); j++) {
        int size = (32 << 10) + sizes.nextInt(3 << 20);
        long seed = 1_000_000L * (i + 1) + j;
        String path = String.format("data/f%03d.bin", j);
        data.randomFile(path, size, seed);
        files.add(new SoakFile("/" + path, sha256(TarLayer.randomBytes(seed, size))));
        total += size;
      }
      String repo = "soak/img" + i;
      OciImage image = TestImages.busybox(tmp.resolve("layout" + i), "img" + i, "v1", data.build());
      TestImages.push(image, registry.hostPort(), repo, "v1");
      SociRuns.publishIndex(
          containerd,
          tmp.resolve("soci-build"),
          registry.hostPort() + "/" + repo + ":v1",
          "--span-size",
          Integer.toString(SPAN_SIZES[i]),
          "--min-layer-size",
          "2000000");
      String layer = image.single().layers().get(1).blob().digest();
      images.add(new SoakImage(proxy.hostPort() + "/" + repo + ":v1", layer, List.copyOf(files)));
      System.out.printf(
          "soak: image %d: %d files, %d MB, spans of %d KiB%n",
          i, files.size(), total >> 20, SPAN_SIZES[i] >> 10);
    }
    return images;
  }

  private void run(FaultProxy proxy, DaemonChild daemon, List<SoakImage> images) throws Exception {
    long start = System.nanoTime();
    ScheduledSampler sampler = new ScheduledSampler(daemon.pid(), start);
    String dataLayers =
        "/v2/soak/img[0-9]/blobs/("
            + images.stream().map(SoakImage::dataLayer).collect(Collectors.joining("|"))
            + ")";
    Chaos chaos = new Chaos(proxy, dataLayers, new Random(SEED));
    AtomicInteger next = new AtomicInteger();
    ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();
    try (sampler;
        chaos) {
      List<Future<?>> running = new ArrayList<>();
      for (int w = 0; w < WORKERS; w++) {
        int worker = w;
        running.add(
            workers.submit(
                () -> {
                  Random rnd = new Random(SEED * 31 + worker);
                  for (int k = next.getAndIncrement(); k < CONTAINERS; k = next.getAndIncrement()) {
                    long due = start + WINDOW.toNanos() * k / CONTAINERS;
                    TimeUnit.NANOSECONDS.sleep(Math.max(0, due - System.nanoTime()));
                    container("soak" + worker, k, images.get(rnd.nextInt(images.size())), rnd);
                  }
                  return null;
                }));
      }
      for (Future<?> f : running) {
        f.get();
      }
      chaos.stop();
      System.out.printf(
          "soak: %d containers done after %d s; quiet for %d s%n",
          CONTAINERS, TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start), QUIET.toSeconds());
      Thread.sleep(QUIET.toMillis());
      sampler.sampleNow();
    } finally {
      workers.shutdownNow();
    }
  }

  /** Pulls, runs one container that hashes a few files, checks each answer, removes the image. */
  private void container(String ns, int k, SoakImage image, Random rnd) throws Exception {
    Path cliRoot = tmp.resolve("soci-" + ns);
    SociRuns.Run pull = null;
    for (int attempt = 1; attempt <= PULL_ATTEMPTS; attempt++) {
      pull =
          SociRuns.soci(
              containerd.socket(),
              cliRoot,
              "--namespace",
              ns,
              "image",
              "rpull",
              "--plain-http",
              image.ref());
      if (pull.rc() == 0) {
        break;
      }
      pullRetries.incrementAndGet();
      Thread.sleep(2000);
    }
    if (pull.rc() != 0) {
      notRun.add(k + ": pull failed " + PULL_ATTEMPTS + " times: " + lastLine(pull.err()));
      return;
    }
    List<SoakFile> files = new ArrayList<>(image.files());
    Collections.shuffle(files, rnd);
    files = files.subList(0, FILES_PER_CONTAINER);
    String script =
        "echo soak-start; sha256sum "
            + files.stream().map(SoakFile::path).collect(Collectors.joining(" "))
            + "; echo soak-end";
    String name = "soak-" + k + "-" + ProcessHandle.current().pid();
    long t = System.nanoTime();
    ContainerdProcess.Result run =
        containerd.ctrIn(
            ns, "run", "--rm", "--snapshotter", "soci", image.ref(), name, "sh", "-c", script);
    slowestContainerMs.accumulateAndGet(
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t), Math::max);
    if (run.exitCode() == -1) {
      // ctr timed out (a read that never ended): the task is still there
      containerd.ctrIn(ns, "tasks", "kill", "-s", "SIGKILL", name);
      Thread.sleep(1000);
      containerd.ctrIn(ns, "containers", "rm", name);
    }
    if (!run.stdout().contains("soak-start")) {
      notRun.add(k + ": did not start: " + lastLine(run.output()));
    } else {
      Map<String, String> sums = new LinkedHashMap<>();
      Matcher m = SUM_LINE.matcher(run.stdout());
      while (m.find()) {
        sums.put(m.group(2), m.group(1));
      }
      for (SoakFile f : files) {
        String got = sums.get(f.path());
        if (got != null && got.equals(f.sha256())) {
          correct.incrementAndGet();
        } else if (got != null) {
          wrong.add(k + " " + image.ref() + " " + f.path() + ": sha256 " + got);
        } else if (run.output()
            .lines()
            .anyMatch(l -> l.contains(f.path()) && l.contains("Input/output error"))) {
          eio.incrementAndGet();
        } else {
          unexplained.add(k + " " + image.ref() + " " + f.path() + ": " + lastLine(run.output()));
        }
      }
    }
    ContainerdProcess.Result rm = containerd.ctrIn(ns, "images", "rm", "--sync", image.ref());
    if (!rm.ok()) {
      unexplained.add(k + ": images rm: " + rm.output().strip());
    }
  }

  private static String lastLine(String text) {
    List<String> lines = text.strip().lines().toList();
    return lines.isEmpty() ? "(no output)" : lines.getLast();
  }

  private void check(FaultProxy proxy, DaemonChild daemon) throws Exception {
    List<Path> mountedWhileRunning = MountCleaner.mountsUnder(daemon.root);
    assertThat(daemon.alive()).as("daemon alive at the end: %s", tail(daemon)).isTrue();
    int exit = daemon.stop("TERM", Duration.ofSeconds(60));
    List<Path> mountedAfterStop = MountCleaner.mountsUnder(daemon.root);
    String log = daemon.log();
    long remote = count(log, "\"event\":\"remote-snapshot-prepared\"");
    long deferred = count(log, "\"event\":\"defer-snapshot-runtime\"");
    long local = count(log, "\"event\":\"local-snapshot-prepared\"");

    long windowEnd = WARM_UP.toSeconds();
    List<Sample> warm = samples.stream().filter(s -> s.second() <= windowEnd).toList();
    Sample afterWarmUp =
        samples.stream().filter(s -> s.second() >= windowEnd).findFirst().orElseThrow();
    Sample first = samples.getFirst();
    Sample last = samples.getLast();
    long warmMaxFds = warm.stream().mapToLong(Sample::fds).max().orElseThrow();

    long reads = correct.get() + eio.get() + wrong.size() + unexplained.size();
    System.out.printf(
        "soak: reads checked %d: correct %d, EIO %d, wrong %d, other %d; containers not run %d;"
            + " pull retries %d; slowest container %d ms%n",
        reads,
        correct.get(),
        eio.get(),
        wrong.size(),
        unexplained.size(),
        notRun.size(),
        pullRetries.get(),
        slowestContainerMs.get());
    System.out.printf(
        "soak: daemon prepared %d layers lazily, %d locally, deferred %d; exit %d on SIGTERM%n",
        remote, local, deferred, exit);
    System.out.printf(
        "soak: proxy %d requests, %d faulted, %d MB of bodies; faults (rules/hits/fired): %s%n",
        proxy.requests(), proxy.faulted(), proxy.bodyBytes() >> 20, tally());
    System.out.printf(
        "soak: RSS MiB start %.1f max %.1f end %.1f (after warm-up %.1f, bound %.1f)%n",
        mib(first.rssKb()),
        mib(samples.stream().mapToLong(Sample::rssKb).max().orElseThrow()),
        mib(last.rssKb()),
        mib(afterWarmUp.rssKb()),
        mib(afterWarmUp.rssKb()) * RSS_SLACK);
    System.out.printf(
        "soak: of it anonymous MiB start %.1f max %.1f end %.1f, file-backed start %.1f max %.1f"
            + " end %.1f%n",
        mib(first.anonKb()),
        mib(samples.stream().mapToLong(Sample::anonKb).max().orElseThrow()),
        mib(last.anonKb()),
        mib(first.fileKb()),
        mib(samples.stream().mapToLong(Sample::fileKb).max().orElseThrow()),
        mib(last.fileKb()));
    System.out.printf(
        "soak: threads start %d max %d end %d%n",
        first.threads(),
        samples.stream().mapToLong(Sample::threads).max().orElseThrow(),
        last.threads());
    System.out.printf(
        "soak: fds start %d max %d end %d (warm-up max %d, bound %d)%n",
        first.fds(),
        samples.stream().mapToLong(Sample::fds).max().orElseThrow(),
        last.fds(),
        warmMaxFds,
        warmMaxFds + FD_SLACK);
    System.out.println(
        "soak: samples (s rssMiB anonMiB fileMiB threads fds): "
            + samples.stream()
                .map(
                    s ->
                        String.format(
                            "%d %.1f %.1f %.1f %d %d",
                            s.second(),
                            mib(s.rssKb()),
                            mib(s.anonKb()),
                            mib(s.fileKb()),
                            s.threads(),
                            s.fds()))
                .collect(Collectors.joining(" | ")));
    log.lines()
        .filter(l -> l.contains("\"event\":\"defer-snapshot-runtime\""))
        .limit(3)
        .forEach(l -> System.out.println("soak: deferred: " + l));
    wrong.forEach(w -> System.out.println("soak: WRONG " + w));
    unexplained.forEach(u -> System.out.println("soak: OTHER " + u));
    notRun.forEach(n -> System.out.println("soak: NOT RUN " + n));

    assertThat(wrong).as("reads that gave wrong bytes").isEmpty();
    assertThat(unexplained).as("reads neither correct nor EIO").isEmpty();
    assertThat(notRun.size())
        .as("containers that did not run (at most a tenth, pulls failing under faults)")
        .isLessThanOrEqualTo(CONTAINERS / 10);
    assertThat(remote).as("layers mounted lazily").isPositive();
    assertThat(last.fds()).as("open fds at the end").isLessThanOrEqualTo(warmMaxFds + FD_SLACK);
    assertThat((double) last.rssKb())
        .as("RSS at the end, kB")
        .isLessThanOrEqualTo(afterWarmUp.rssKb() * RSS_SLACK);
    assertThat(mountedWhileRunning)
        .as("mounts under the daemon root, all images removed")
        .isEmpty();
    assertThat(mountedAfterStop).as("mounts under the daemon root after SIGTERM").isEmpty();
    assertThat(exit).as("exit status on SIGTERM: %s", tail(daemon)).isZero();
  }

  private static String tail(DaemonChild daemon) throws IOException {
    List<String> lines = daemon.log().lines().toList();
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
  }

  private static long count(String text, String needle) {
    return text.lines().filter(l -> l.contains(needle)).count();
  }

  private static double mib(long kb) {
    return kb / 1024.0;
  }

  private String tally() {
    return faultTally.entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .map(
            e -> e.getKey() + " " + e.getValue()[0] + "/" + e.getValue()[1] + "/" + e.getValue()[2])
        .collect(Collectors.joining(", "));
  }

  private static String sha256(byte[] data) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
  }

  /** Samples the daemon every 10 s from /proc: VmRSS, Threads, entries of fd/. */
  private final class ScheduledSampler implements AutoCloseable {
    private final long pid;
    private final long start;
    private final java.util.concurrent.ScheduledExecutorService timer =
        Executors.newSingleThreadScheduledExecutor();

    ScheduledSampler(long pid, long start) {
      this.pid = pid;
      this.start = start;
      timer.scheduleAtFixedRate(this::sampleNow, 0, SAMPLE_EVERY.toMillis(), TimeUnit.MILLISECONDS);
    }

    synchronized void sampleNow() {
      Path proc = Path.of("/proc", Long.toString(pid));
      try (Stream<Path> fds = Files.list(proc.resolve("fd"))) {
        long fdCount = fds.count();
        Map<String, Long> status = new LinkedHashMap<>();
        for (String line : Files.readAllLines(proc.resolve("status"))) {
          int colon = line.indexOf(':');
          String digits = line.substring(colon + 1).replaceAll("\\D", "");
          if (colon > 0 && !digits.isEmpty() && digits.length() < 19) {
            status.put(line.substring(0, colon), Long.parseLong(digits));
          }
        }
        samples.add(
            new Sample(
                TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start),
                status.getOrDefault("VmRSS", 0L),
                status.getOrDefault("RssAnon", 0L),
                status.getOrDefault("RssFile", 0L),
                status.getOrDefault("Threads", 0L),
                fdCount));
      } catch (IOException e) {
        // The daemon is gone: the end of the series shows it, and the checks fail on it.
      }
    }

    @Override
    public void close() {
      timer.shutdownNow();
    }
  }

  /**
   * Switches random faults on and off: phases of 20-40 s with faults (up to 2 rules at once, each
   * for 2-12 s, a stall until cleared 2-15 s, or a few requests) and 10-20 s without. Most rules
   * take the data layers' blob GETs, the lazy reads; some take every blob or every request, so
   * pulls and index lookups meet faults too.
   */
  private final class Chaos implements AutoCloseable {
    private final FaultProxy proxy;
    private final String dataLayers;
    private final Random rnd;
    private final Thread thread;
    private final Map<FaultProxy.Rule, Long> expiry = new LinkedHashMap<>();
    private final Map<FaultProxy.Rule, String> kinds = new LinkedHashMap<>();
    private volatile boolean stopped;

    Chaos(FaultProxy proxy, String dataLayers, Random rnd) {
      this.proxy = proxy;
      this.dataLayers = dataLayers;
      this.rnd = rnd;
      this.thread = Thread.ofPlatform().name("soak-chaos").start(this::loop);
    }

    private void loop() {
      try {
        while (!stopped) {
          long phaseEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(20 + rnd.nextInt(21));
          while (!stopped && System.nanoTime() < phaseEnd) {
            expire(System.nanoTime());
            if (expiry.size() < 2 && rnd.nextInt(3) == 0) {
              add();
            }
            Thread.sleep(500);
          }
          expire(Long.MAX_VALUE);
          long quietEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(10 + rnd.nextInt(11));
          while (!stopped && System.nanoTime() < quietEnd) {
            Thread.sleep(500);
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        expire(Long.MAX_VALUE);
      }
    }

    private void add() {
      String kind = FAULTS.get(rnd.nextInt(FAULTS.size()));
      Fault fault =
          switch (kind) {
            case "drop" -> Fault.drop(rnd.nextInt(256 << 10));
            case "truncate" -> Fault.truncate(rnd.nextInt(512 << 10));
            case "reset" -> Fault.reset(rnd.nextInt(256 << 10));
            case "flip" ->
                rnd.nextBoolean()
                    ? Fault.flip(rnd.nextInt(128 << 10))
                    : Fault.flipEvery(rnd.nextInt(4096), 4096 + rnd.nextInt(256 << 10));
            case "status" -> {
              int code = new int[] {429, 500, 502, 503}[rnd.nextInt(4)];
              yield switch (rnd.nextInt(3)) {
                case 0 -> Fault.status(code);
                case 1 -> Fault.status(code, 1 + rnd.nextInt(2));
                default -> Fault.statusRetryAt(code, Duration.ofSeconds(1 + rnd.nextInt(2)));
              };
            }
            case "slow" -> Fault.slow((256 << 10) + rnd.nextInt(2 << 20));
            case "stall" ->
                switch (rnd.nextInt(3)) {
                  case 0 ->
                      Fault.stall(Fault.BEFORE_HEADERS, Duration.ofMillis(500 + rnd.nextInt(3500)));
                  case 1 ->
                      Fault.stall(
                          rnd.nextInt(128 << 10), Duration.ofMillis(500 + rnd.nextInt(3500)));
                  default -> Fault.stallUntilCleared(rnd.nextInt(128 << 10));
                };
            default -> throw new IllegalArgumentException("soak.faults: unknown kind " + kind);
          };
      int where = rnd.nextInt(10);
      String path =
          where < 7
              ? dataLayers
              : where < 9 || !kind.equals("status") ? "/v2/.+/blobs/.+" : "/v2/.*";
      FaultProxy.RuleBuilder b = proxy.on("GET", path);
      if (rnd.nextBoolean()) {
        b.times(1 + rnd.nextInt(5));
      }
      FaultProxy.Rule rule = b.fault(fault);
      // An until-cleared stall lasts as long as its rule: 2-15 s, so at times longer than the
      // daemon's fetching timeout (10 s), which must then end the read.
      long life = kind.equals("stall") ? 2 + rnd.nextInt(14) : 2 + rnd.nextInt(11);
      expiry.put(rule, System.nanoTime() + TimeUnit.SECONDS.toNanos(life));
      kinds.put(rule, kind);
      faultTally.computeIfAbsent(kind, x -> new long[3])[0]++;
    }

    private void expire(long now) {
      var it = expiry.entrySet().iterator();
      while (it.hasNext()) {
        var e = it.next();
        if (e.getValue() <= now || !e.getKey().isActive()) {
          FaultProxy.Rule r = e.getKey();
          r.remove();
          long[] t = faultTally.get(kinds.remove(r));
          t[1] += r.hits();
          t[2] += r.fired();
          it.remove();
        }
      }
    }

    void stop() throws InterruptedException {
      stopped = true;
      thread.interrupt();
      thread.join();
    }

    @Override
    public void close() {
      try {
        stop();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
