package dev.finch.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One containerd build the tests run against, as listed in {@code scripts/containerd-versions} (the
 * one place the versions are written): {@code 1.6} is this Debian 12 machine's own package in
 * {@code /usr/bin}; the others are Debian's trixie and sid packages that {@code
 * scripts/fetch-containerd} extracts into {@code ref/containerd-NAME/usr/bin}.
 *
 * <p>Which one a test JVM uses is {@link #selected()}: the system property {@value #PROPERTY} (set
 * by {@code make test} for each pass of the matrix), else the first line of the file.
 *
 * @param name the file's name for it: {@code 1.6}, {@code 1.7}, {@code 2.x}
 * @param binDir where {@code containerd}, {@code ctr} and {@code containerd-shim-runc-v2} are
 * @param versionPrefix what {@code containerd --version} must start with
 */
public record ContainerdDist(String name, Path binDir, String versionPrefix) {
  /** System property naming the build to test against. */
  public static final String PROPERTY = "finch.containerd";

  static final String VERSIONS_FILE = "scripts/containerd-versions";

  /** Every build of the file, in its order. */
  public static List<ContainerdDist> all() {
    Path root = repoRoot();
    List<ContainerdDist> out = new ArrayList<>();
    try {
      for (String line : Files.readAllLines(root.resolve(VERSIONS_FILE))) {
        String l = line.strip();
        if (l.isEmpty() || l.startsWith("#")) {
          continue;
        }
        String[] f = l.split("\\s+");
        if (f.length != 3) {
          throw new IllegalStateException(
              VERSIONS_FILE + ": expected NAME SOURCE PREFIX, got: " + line);
        }
        Path bin =
            f[1].equals("system")
                ? Path.of("/usr/bin")
                : root.resolve("ref/containerd-" + f[0] + "/usr/bin");
        out.add(new ContainerdDist(f[0], bin, f[2]));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + root.resolve(VERSIONS_FILE), e);
    }
    return out;
  }

  /** The build named {@code name}; fails naming the known ones. */
  public static ContainerdDist named(String name) {
    List<ContainerdDist> all = all();
    return all.stream()
        .filter(d -> d.name.equals(name))
        .findFirst()
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "no containerd \""
                        + name
                        + "\" in "
                        + VERSIONS_FILE
                        + " (known: "
                        + all.stream().map(ContainerdDist::name).toList()
                        + ")"));
  }

  /** The build this test JVM runs against: {@value #PROPERTY}, else the first of the file. */
  public static ContainerdDist selected() {
    String name = System.getProperty(PROPERTY, "");
    return name.isBlank() ? all().getFirst() : named(name);
  }

  public Path containerd() {
    return binDir.resolve("containerd");
  }

  public Path ctr() {
    return binDir.resolve("ctr");
  }

  /** The major version from the prefix (1 or 2). */
  public int major() {
    return Integer.parseInt(versionPrefix.split("\\.")[0]);
  }

  /**
   * containerd 2.x reads config version 3 (CRI split into images and runtime plugins); 1.x version
   * 2.
   */
  public int configVersion() {
    return major() >= 2 ? 3 : 2;
  }

  /** Fails, naming the command to run, when the binaries are not there. */
  public ContainerdDist requireInstalled() {
    if (!Files.isExecutable(containerd()) || !Files.isExecutable(ctr())) {
      throw new IllegalStateException(
          "containerd "
              + name
              + " is not at "
              + binDir
              + "; run scripts/fetch-containerd "
              + name
              + " (or scripts/install-deps for the system one)");
    }
    return this;
  }

  /**
   * The checkout's root: the first folder above the working directory that holds {@value
   * #VERSIONS_FILE}.
   */
  public static Path repoRoot() {
    Path p = Path.of(System.getProperty("user.dir")).toAbsolutePath();
    while (p != null && !Files.exists(p.resolve(VERSIONS_FILE))) {
      p = p.getParent();
    }
    if (p == null) {
      throw new IllegalStateException(
          "no " + VERSIONS_FILE + " above " + System.getProperty("user.dir"));
    }
    return p;
  }
}
