package dev.finch.soci.containerd;

import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The daemon's build as its Version service reports it, e.g. {@code 1.6.20~ds1} at revision {@code
 * 1.6.20~ds1-1+b1} (Debian), {@code v2.1.4} (upstream) or {@code 2.1.9+unknown}.
 */
public record ContainerdVersion(String version, String revision) {
  /** The oldest containerd we support: 1.6 is the oldest release line with the APIs we call. */
  public static final int MIN_MAJOR = 1;

  public static final int MIN_MINOR = 6;

  private static final Pattern MAJOR_MINOR = Pattern.compile("^v?(\\d+)\\.(\\d+)");

  /** Major version, or -1 if the version string does not start with {@code [v]MAJOR.MINOR}. */
  public int major() {
    Matcher m = MAJOR_MINOR.matcher(version);
    return m.find() ? Integer.parseInt(m.group(1)) : -1;
  }

  /** Minor version, or -1 if unparseable. */
  public int minor() {
    Matcher m = MAJOR_MINOR.matcher(version);
    return m.find() ? Integer.parseInt(m.group(2)) : -1;
  }

  /**
   * True for 1.6 and newer. A version string we cannot parse (a development build) is given the
   * benefit of the doubt: refusing it would block users of builds we cannot judge.
   */
  public boolean supported() {
    int major = major();
    if (major < 0) {
      return true;
    }
    return major > MIN_MAJOR || (major == MIN_MAJOR && minor() >= MIN_MINOR);
  }

  /** This version, or a {@link ContainerdException} (FAILED_PRECONDITION) saying it is too old. */
  public ContainerdVersion requireSupported(Path socket) {
    if (!supported()) {
      throw new ContainerdException(
          ContainerdException.Kind.FAILED_PRECONDITION,
          "containerd "
              + version
              + " at "
              + socket
              + " is too old: containerd "
              + MIN_MAJOR
              + "."
              + MIN_MINOR
              + " or newer is needed");
    }
    return this;
  }

  @Override
  public String toString() {
    return version
        + (revision.isEmpty() || revision.equals(version) ? "" : " (revision " + revision + ")");
  }
}
