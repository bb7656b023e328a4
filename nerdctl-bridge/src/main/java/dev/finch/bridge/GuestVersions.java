package dev.finch.bridge;

import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Versions of what runs in the guest, for {@code finch version}.
 *
 * @param nerdctl the nerdctl client, empty when the guest has none (ctr engine)
 * @param clientComponents nerdctl's client-side components (buildctl)
 * @param server containerd, runc and the snapshotters
 */
public record GuestVersions(
    Optional<Component> nerdctl, List<Component> clientComponents, List<Component> server) {
  /**
   * The oldest containerd finch works with, the same floor as the guest's {@code soci} ({@code
   * dev.finch.soci.containerd.ContainerdVersion}, which refuses older daemons itself; the guest
   * code depends on no host module, so {@code GuestVersionsTest} checks that the two are equal).
   */
  public static final int MIN_CONTAINERD_MAJOR = 1;

  public static final int MIN_CONTAINERD_MINOR = 6;

  private static final Pattern MAJOR_MINOR = Pattern.compile("^v?(\\d+)\\.(\\d+)");

  public GuestVersions {
    clientComponents = List.copyOf(clientComponents);
    server = List.copyOf(server);
  }

  /** The guest's containerd, if the engine reported one. */
  public Optional<Component> containerd() {
    return server.stream().filter(c -> c.name().equals("containerd")).findFirst();
  }

  /**
   * Why the guest's containerd cannot be used, or empty: a version older than 1.6 is refused; one
   * that does not parse ({@code unknown}, a development build) is not.
   */
  public Optional<String> containerdProblem() {
    Optional<Component> c = containerd();
    if (c.isEmpty()) {
      return Optional.empty();
    }
    Matcher m = MAJOR_MINOR.matcher(c.get().version());
    if (!m.find()) {
      return Optional.empty();
    }
    int major = Integer.parseInt(m.group(1));
    int minor = Integer.parseInt(m.group(2));
    if (major > MIN_CONTAINERD_MAJOR
        || (major == MIN_CONTAINERD_MAJOR && minor >= MIN_CONTAINERD_MINOR)) {
      return Optional.empty();
    }
    return Optional.of(
        "containerd "
            + c.get().version()
            + " in the guest is too old: finch needs containerd "
            + MIN_CONTAINERD_MAJOR
            + "."
            + MIN_CONTAINERD_MINOR
            + " or newer");
  }
}
