package dev.finch.cli;

import dev.finch.config.HostFacts;
import dev.finch.process.CommandRunner;
import dev.finch.process.ProcessCommandRunner;
import dev.finch.vm.InstallLayout;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Properties;

/**
 * What a finch process gets from the outside world: host facts, the process seam, the install
 * directory, the working directory and finch's own version. Tests build one by hand with a
 * recording runner and a pretend host.
 *
 * @param host host facts (OS, env, CPUs)
 * @param runner the process seam
 * @param layout the install directory ({@code lima/}, {@code os/}, {@code bin/})
 * @param cwd the user's working directory
 * @param version finch's version, e.g. {@code v0.1.0}
 * @param gitCommit the commit finch was built from, or {@code unknown}
 */
public record FinchEnvironment(
    HostFacts host,
    CommandRunner runner,
    InstallLayout layout,
    Path cwd,
    String version,
    String gitCommit) {

  /** System property the launcher sets to the install directory. */
  public static final String INSTALL_DIR_PROPERTY = "finch.install.dir";

  /** The real environment of this process. */
  public static FinchEnvironment detect() {
    HostFacts host = HostFacts.detect();
    // FINCH_INSTALL_DIR first (a second install tree, e.g. a test's VM), then the launcher's own.
    String install = host.env().get("FINCH_INSTALL_DIR");
    if (install == null || install.isBlank()) {
      install =
          System.getProperty(
              INSTALL_DIR_PROPERTY, host.home().resolve(".finch").resolve("install").toString());
    }
    return new FinchEnvironment(
        host,
        new ProcessCommandRunner(),
        new InstallLayout(Path.of(install)),
        Path.of(System.getProperty("user.dir")),
        "v" + projectVersion(),
        System.getProperty("finch.commit", "unknown"));
  }

  private static String projectVersion() {
    try (InputStream in =
        FinchEnvironment.class.getResourceAsStream(
            "/META-INF/maven/dev.finch/finch-cli/pom.properties")) {
      if (in == null) {
        return "0.0.0-dev";
      }
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version", "0.0.0-dev");
    } catch (IOException e) {
      return "0.0.0-dev";
    }
  }
}
