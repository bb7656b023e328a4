package dev.finch.bridge;

import dev.finch.config.FinchConfig;
import dev.finch.config.HostOs;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * Everything argv translation depends on besides the arguments, as values, so the translation is a
 * pure function tested by tables.
 *
 * @param os the host OS (Windows paths are rewritten, macOS host-gateway is Lima's)
 * @param hostEnv the host environment (for {@code -e KEY} and forwarded variables)
 * @param cwd the host working directory, as the host writes it
 * @param config the effective finch.yaml (default snapshotter, dockercompat)
 * @param files reads {@code --env-file} files on the host
 * @param windowsGateway the host's address as a WSL guest sees it (for {@code host-gateway}); only
 *     asked for when a command uses {@code host-gateway} on Windows
 */
public record TranslationContext(
    HostOs os,
    Map<String, String> hostEnv,
    String cwd,
    FinchConfig config,
    FileReader files,
    WindowsGateway windowsGateway) {

  public TranslationContext {
    hostEnv = Map.copyOf(hostEnv);
  }

  /** Finds the Windows host's address on the WSL network. */
  @FunctionalInterface
  public interface WindowsGateway {
    String address() throws BridgeException;
  }

  /** Reads a host text file as lines. */
  @FunctionalInterface
  public interface FileReader {
    List<String> lines(String path) throws IOException;
  }
}
