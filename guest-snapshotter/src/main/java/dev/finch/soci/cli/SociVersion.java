package dev.finch.soci.cli;

import dev.finch.soci.containerd.ContainerdClient;
import dev.finch.soci.containerd.ContainerdException;
import dev.finch.soci.containerd.ContainerdVersion;
import java.nio.file.Path;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code soci --version}: the reference's first line ("soci version <v> <revision>"), then the
 * containerd that {@code --address} reaches, so a user can tell what soci talks to: {@code
 * containerd version 1.7.24~ds1 at /run/containerd/containerd.sock}, {@code ... (too old: 1.6 or
 * newer is needed)}, or {@code containerd: cannot connect to containerd at PATH: REASON ...}. The
 * exit code stays 0.
 */
public final class SociVersion implements IVersionProvider {
  @Spec CommandSpec spec;

  static String version() {
    String v = SociVersion.class.getPackage().getImplementationVersion();
    return v == null ? "0.1.0-dev" : v;
  }

  @Override
  public String[] getVersion() {
    return new String[] {"soci version " + version() + " finch-java", containerdLine()};
  }

  private String containerdLine() {
    Path socket = Path.of(GlobalOptions.of(spec).address());
    try (ContainerdClient c =
        ContainerdClient.connect(socket, ContainerdClient.DEFAULT_NAMESPACE)) {
      ContainerdVersion v = c.version();
      return "containerd version "
          + v
          + " at "
          + socket
          + (v.supported()
              ? ""
              : " (too old: "
                  + ContainerdVersion.MIN_MAJOR
                  + "."
                  + ContainerdVersion.MIN_MINOR
                  + " or newer is needed)");
    } catch (ContainerdException e) {
      return "containerd: " + e.getMessage();
    }
  }
}
