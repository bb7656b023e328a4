package dev.finch.vm;

import dev.finch.process.CommandSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Turns a command meant for the guest (e.g. {@code nerdctl images}) into the host process that runs
 * it there: {@code limactl shell finch sudo -E ...} for Lima, {@code wsl.exe --distribution ...}
 * for WSL2, or the command itself on native Linux.
 */
public interface GuestShell {
  /**
   * @param guestArgv the command as it runs in the guest
   * @param guestEnv variables the guest command gets (forwarded host variables)
   * @param hostCwd the user's working directory on the host
   */
  CommandSpec command(List<String> guestArgv, Map<String, String> guestEnv, Path hostCwd);

  /**
   * Whether the guest is a VM. Then only allow-listed host variables reach a guest command; a
   * native command inherits the host environment anyway.
   */
  default boolean isVm() {
    return true;
  }
}
