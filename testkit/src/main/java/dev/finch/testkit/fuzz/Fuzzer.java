package dev.finch.testkit.fuzz;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * A time-bounded mutational fuzzer for parsers of untrusted input ({@link FuzzTarget}). Each input
 * runs on a worker thread with a time bound ({@value #INPUT_TIMEOUT_MS} ms) and a memory bound (the
 * bytes the call allocates, read from {@code com.sun.management.ThreadMXBean}, must stay under 64
 * MiB + 100 x the input length). A finding is an exception that is not one of the target's typed
 * errors, a typed error without a one-line message, a call past either bound, or any {@link Error}
 * (stack overflow, out of memory). Findings are shrunk, printed, and written to {@code
 * target/fuzz-findings/TARGET-HASH.bin} (the input) and {@code .txt} (what happened).
 *
 * <p>Inputs are the seeds, structure-aware ones from the target's generator, and mutations ({@link
 * Mutator}) of a corpus that keeps every input whose outcome was new (success, or an error type and
 * message shape not seen before), a cheap stand-in for coverage.
 *
 * <p>System properties: {@value #SECONDS_PROPERTY} (seconds per target, default {@value
 * #DEFAULT_SECONDS}), {@value #SEED_PROPERTY} (random seed), and {@value #REPLAY_PROPERTY} (a
 * finding's file, or a directory of them: run those inputs once instead of fuzzing). Each run
 * prints {@code fuzz NAME: N inputs, F findings} and appends it to {@code target/fuzz/summary.tsv}.
 */
public final class Fuzzer {
  /** Seconds of fuzzing per target. */
  public static final String SECONDS_PROPERTY = "fuzz.seconds";

  /** The smoke run's seconds per target (about 60 s over all targets of the build). */
  public static final double DEFAULT_SECONDS = 3.2;

  public static final String SEED_PROPERTY = "fuzz.seed";
  public static final String REPLAY_PROPERTY = "fuzz.replay";

  /** A parse that takes longer than this is a hang. */
  public static final long INPUT_TIMEOUT_MS = 2000;

  /** Allocation allowed to one call: this plus {@link #MEMORY_PER_INPUT_BYTE} per input byte. */
  public static final long MEMORY_BASE = 64L << 20;

  public static final long MEMORY_PER_INPUT_BYTE = 100;

  private static final long DEFAULT_SEED = 12;
  private static final int MAX_FINDINGS = 20;
  private static final int MAX_CORPUS = 1000;
  private static final double GENERATED_SHARE = 0.3;
  private static final double FIXUP_SHARE = 0.8;
  private static final double SEED_SHARE = 0.25;
  private static final long SHRINK_BUDGET_MS = 3000;
  private static final int SHOWN_BYTES = 4096;
  private static final int SHAPE_LENGTH = 80;

  /** What one call did. */
  public enum Kind {
    OK,
    TYPED,
    UNTYPED,
    UNCLEAR_MESSAGE,
    HANG,
    MEMORY,
    /** A seed (a real input) gave an error: the parser refuses what it must read. */
    SEED_REJECTED
  }

  /**
   * A finding: the (shrunk) input and what it did.
   *
   * @param signature what identifies it: kind, exception type and the first frame of our code
   * @param detail the stack trace, or the bound that was passed
   * @param file where the input was written
   */
  public record Finding(
      String target, Kind kind, String signature, byte[] input, String detail, Path file) {}

  /** The result of fuzzing one target. */
  public record Report(String target, long inputs, List<Finding> findings, Duration elapsed) {
    public String line() {
      return "fuzz " + target + ": " + inputs + " inputs, " + findings.size() + " findings";
    }
  }

  private record Outcome(Kind kind, Throwable error, long allocated, String detail) {}

  private final FuzzTarget target;
  private final Random random;
  private final Path findingsDir;
  private final com.sun.management.ThreadMXBean threads =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
  private ExecutorService worker = newWorker();

  private Fuzzer(FuzzTarget target, long seed, Path findingsDir) {
    this.target = target;
    this.random = new Random(seed ^ target.name().hashCode());
    this.findingsDir = findingsDir;
  }

  /**
   * Fuzzes (or, with {@value #REPLAY_PROPERTY}, replays findings for) {@code target} as the system
   * properties say, prints and records the report.
   */
  public static Report run(FuzzTarget target) {
    Path targetDir = Path.of("target");
    Path findings = targetDir.resolve("fuzz-findings");
    String replay = System.getProperty(REPLAY_PROPERTY);
    Fuzzer f = new Fuzzer(target, Long.getLong(SEED_PROPERTY, DEFAULT_SEED), findings);
    Report r;
    try {
      r =
          replay != null && !replay.isBlank()
              ? f.replay(Path.of(replay))
              : f.fuzz(Duration.ofMillis((long) (seconds() * 1000)));
    } finally {
      f.worker.shutdownNow();
    }
    System.out.println(r.line());
    for (Finding x : r.findings()) {
      System.out.println(describe(x));
    }
    appendSummary(targetDir.resolve("fuzz").resolve("summary.tsv"), r);
    return r;
  }

  /**
   * Fuzzes {@code target} for {@code budget} with random seed {@code seed}, writing findings to
   * {@code findingsDir}; prints nothing (what {@link #run} builds on, and what tests of the fuzzer
   * call).
   */
  public static Report fuzz(FuzzTarget target, Duration budget, long seed, Path findingsDir) {
    Fuzzer f = new Fuzzer(target, seed, findingsDir);
    try {
      return f.fuzz(budget);
    } finally {
      f.worker.shutdownNow();
    }
  }

  /** Fails with every finding of {@code r} described (input in base64, file, stack trace). */
  public static void assertNoFindings(Report r) {
    if (r.findings().isEmpty()) {
      return;
    }
    StringBuilder b = new StringBuilder(r.line()).append('\n');
    for (Finding x : r.findings()) {
      b.append(describe(x)).append('\n');
    }
    throw new AssertionError(b.toString());
  }

  /** Seconds per target from {@value #SECONDS_PROPERTY}. */
  public static double seconds() {
    String s = System.getProperty(SECONDS_PROPERTY);
    if (s == null || s.isBlank()) {
      return DEFAULT_SECONDS;
    }
    try {
      return Double.parseDouble(s.strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(SECONDS_PROPERTY + ": not a number of seconds: " + s, e);
    }
  }

  private Report fuzz(Duration budget) {
    long start = System.nanoTime();
    long deadline = start + budget.toNanos();
    Mutator mutator = new Mutator(random, target.dictionary(), target.maxInputSize());
    List<byte[]> corpus = new ArrayList<>(target.seeds());
    Set<String> shapes = new HashSet<>();
    Map<String, Finding> findings = new LinkedHashMap<>();
    long inputs = 0;
    int seedIndex = 0;
    while (findings.size() < MAX_FINDINGS
        && (seedIndex < target.seeds().size() || System.nanoTime() < deadline)) {
      byte[] input;
      boolean seed = seedIndex < target.seeds().size();
      if (seed) {
        input = target.seeds().get(seedIndex++);
      } else {
        input = nextInput(mutator, corpus);
      }
      Outcome o = call(input);
      if (seed && o.kind() == Kind.TYPED) {
        o = new Outcome(Kind.SEED_REJECTED, o.error(), o.allocated(), stackTrace(o.error()));
      }
      inputs++;
      if (isFinding(o)) {
        String sig = signature(o);
        if (!findings.containsKey(sig)) {
          findings.put(sig, record(o.kind() == Kind.HANG ? input : shrink(input, sig), o, sig));
        }
        if (o.kind() == Kind.HANG) {
          break; // the stuck worker keeps a core busy; the target has failed anyway
        }
      } else if (shapes.add(shape(o))) {
        if (corpus.size() < MAX_CORPUS) {
          corpus.add(input);
        } else {
          corpus.set(random.nextInt(corpus.size()), input);
        }
      }
    }
    return new Report(
        target.name(),
        inputs,
        List.copyOf(findings.values()),
        Duration.ofNanos(System.nanoTime() - start));
  }

  private byte[] nextInput(Mutator mutator, List<byte[]> corpus) {
    if (target.generator() != null && random.nextDouble() < GENERATED_SHARE) {
      byte[] g = target.generator().generate(random);
      return random.nextBoolean()
          ? g
          : mutator.mutate(g, corpus.get(random.nextInt(corpus.size())));
    }
    // the real inputs stay a quarter of the bases, however many small inputs the corpus gathers
    byte[] base =
        random.nextDouble() < SEED_SHARE
            ? target.seeds().get(random.nextInt(target.seeds().size()))
            : corpus.get(random.nextInt(corpus.size()));
    byte[] other = corpus.get(random.nextInt(corpus.size()));
    byte[] m = mutator.mutate(base, other);
    if (target.fixup() != null && random.nextDouble() < FIXUP_SHARE) {
      m = target.fixup().apply(m);
    }
    return m;
  }

  private Report replay(Path path) {
    long start = System.nanoTime();
    List<Path> files;
    try {
      if (Files.isDirectory(path)) {
        try (Stream<Path> s = Files.list(path)) {
          files = s.filter(p -> p.getFileName().toString().endsWith(".bin")).sorted().toList();
        }
      } else {
        files = List.of(path);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + path, e);
    }
    Map<String, Finding> findings = new LinkedHashMap<>();
    long inputs = 0;
    for (Path p : files) {
      if (!p.getFileName().toString().startsWith(target.name() + "-")) {
        continue;
      }
      byte[] input;
      try {
        input = Files.readAllBytes(p);
      } catch (IOException e) {
        throw new UncheckedIOException("reading " + p, e);
      }
      Outcome o = call(input);
      inputs++;
      System.out.println("fuzz " + target.name() + ": replayed " + p + ": " + o.kind());
      if (isFinding(o)) {
        findings.putIfAbsent(signature(o), record(input, o, signature(o)));
      }
    }
    return new Report(
        target.name(),
        inputs,
        List.copyOf(findings.values()),
        Duration.ofNanos(System.nanoTime() - start));
  }

  private static boolean isFinding(Outcome o) {
    return o.kind() != Kind.OK && o.kind() != Kind.TYPED;
  }

  /** Runs the parser on the worker and sorts what happened. */
  private Outcome call(byte[] input) {
    byte[] copy = input.clone(); // a parser must not be able to change the corpus
    Future<Object[]> f =
        worker.submit(
            () -> {
              long before = threads.getCurrentThreadAllocatedBytes();
              Throwable thrown = null;
              try {
                target.parser().parse(copy);
              } catch (Throwable t) { // every kind is sorted below, Errors included
                thrown = t;
              }
              return new Object[] {thrown, threads.getCurrentThreadAllocatedBytes() - before};
            });
    Object[] r;
    try {
      r = f.get(INPUT_TIMEOUT_MS, java.util.concurrent.TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      f.cancel(true);
      worker.shutdownNow();
      worker = newWorker();
      return new Outcome(Kind.HANG, null, 0, "no answer within " + INPUT_TIMEOUT_MS + " ms");
    } catch (ExecutionException e) {
      throw new IllegalStateException("fuzz worker failed", e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while fuzzing " + target.name(), e);
    }
    Throwable thrown = (Throwable) r[0];
    long allocated = (Long) r[1];
    long limit = MEMORY_BASE + MEMORY_PER_INPUT_BYTE * input.length;
    if (allocated > limit) {
      return new Outcome(
          Kind.MEMORY,
          thrown,
          allocated,
          "allocated " + allocated + " bytes, bound " + limit + " for " + input.length + " bytes");
    }
    if (thrown == null) {
      return new Outcome(Kind.OK, null, allocated, "");
    }
    if (thrown instanceof Error || !target.isTyped(thrown)) {
      return new Outcome(Kind.UNTYPED, thrown, allocated, stackTrace(thrown));
    }
    String m = thrown.getMessage();
    if (m == null || m.isBlank() || m.indexOf('\n') >= 0 || m.indexOf('\r') >= 0) {
      return new Outcome(
          Kind.UNCLEAR_MESSAGE, thrown, allocated, "message: " + m + "\n" + stackTrace(thrown));
    }
    return new Outcome(Kind.TYPED, thrown, allocated, "");
  }

  private static ExecutorService newWorker() {
    return Executors.newSingleThreadExecutor(
        r -> {
          Thread t = new Thread(r, "fuzz-worker");
          t.setDaemon(true);
          return t;
        });
  }

  private static String signature(Outcome o) {
    if (o.error() == null) {
      return o.kind().name();
    }
    return o.kind() + " " + o.error().getClass().getName() + " at " + firstOwnFrame(o.error());
  }

  // The first frame outside the JDK and the libraries: where our code let the exception through.
  private static String firstOwnFrame(Throwable t) {
    for (StackTraceElement e : t.getStackTrace()) {
      if (e.getClassName().startsWith("dev.finch.") && !e.getClassName().startsWith(OWN)) {
        return e.getClassName() + "." + e.getMethodName() + ":" + e.getLineNumber();
      }
    }
    StackTraceElement[] s = t.getStackTrace();
    return s.length == 0 ? "?" : s[0].toString();
  }

  private static final String OWN = Fuzzer.class.getPackageName() + ".";

  /** Outcome shape for the corpus: the kind and the message with numbers blanked. */
  private static String shape(Outcome o) {
    if (o.error() == null) {
      return o.kind().name();
    }
    String m = String.valueOf(o.error().getMessage()).replaceAll("[0-9]+", "#");
    m = m.length() > SHAPE_LENGTH ? m.substring(0, SHAPE_LENGTH) : m;
    return o.error().getClass().getName() + ": " + m;
  }

  /** Drops chunks of the input while it still fails the same way, within a small budget. */
  private byte[] shrink(byte[] input, String sig) {
    long deadline = System.nanoTime() + SHRINK_BUDGET_MS * 1_000_000;
    byte[] best = input;
    for (int size = Math.max(1, best.length / 2); size >= 1; size /= 2) {
      for (int at = 0; at + size <= best.length; ) {
        if (System.nanoTime() > deadline) {
          return best;
        }
        byte[] c = new byte[best.length - size];
        System.arraycopy(best, 0, c, 0, at);
        System.arraycopy(best, at + size, c, at, best.length - at - size);
        Outcome o = call(c);
        if (o.kind() != Kind.HANG && isFinding(o) && signature(o).equals(sig)) {
          best = c;
        } else {
          at += size;
        }
      }
    }
    return best;
  }

  private Finding record(byte[] input, Outcome o, String sig) {
    String hash = Integer.toHexString(sig.hashCode() & 0x7fffffff);
    Path file = findingsDir.resolve(target.name() + "-" + hash + ".bin");
    String detail = o.detail();
    try {
      Files.createDirectories(findingsDir);
      Files.write(file, input);
      Files.writeString(
          findingsDir.resolve(target.name() + "-" + hash + ".txt"),
          sig + "\n" + detail + "\ninput (base64): " + Base64.getEncoder().encodeToString(input));
    } catch (IOException e) {
      throw new UncheckedIOException("writing the finding to " + file, e);
    }
    return new Finding(target.name(), o.kind(), sig, input, detail, file);
  }

  private static String describe(Finding x) {
    byte[] shown =
        x.input().length > SHOWN_BYTES
            ? java.util.Arrays.copyOf(x.input(), SHOWN_BYTES)
            : x.input();
    String detail = x.detail();
    int lines = 0;
    int cut = 0;
    while (cut >= 0 && lines < 12) {
      cut = detail.indexOf('\n', cut + 1);
      lines++;
    }
    return String.format(
        Locale.ROOT,
        "  finding %s (%d bytes, %s)%n    input (base64%s): %s%n    %s",
        x.signature(),
        x.input().length,
        x.file(),
        shown.length < x.input().length ? ", first " + SHOWN_BYTES + " bytes" : "",
        Base64.getEncoder().encodeToString(shown),
        (cut < 0 ? detail : detail.substring(0, cut)).replace("\n", "\n    "));
  }

  private static String stackTrace(Throwable t) {
    StringWriter w = new StringWriter();
    t.printStackTrace(new PrintWriter(w));
    return w.toString();
  }

  private static void appendSummary(Path file, Report r) {
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(
          file,
          String.format(
              Locale.ROOT,
              "%s\t%d\t%d\t%.1f%n",
              r.target(),
              r.inputs(),
              r.findings().size(),
              r.elapsed().toMillis() / 1000.0),
          StandardCharsets.UTF_8,
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException("writing " + file, e);
    }
  }
}
