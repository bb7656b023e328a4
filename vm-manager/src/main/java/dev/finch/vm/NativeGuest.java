package dev.finch.vm;

import dev.finch.process.CommandSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Linux needs no VM: the host is the guest, so guest commands run as local processes with the
 * user's working directory. This is deliberately not a {@link VmBackend}: it has no states and no
 * transitions, and pretending otherwise would make {@code vm status} report a fiction. {@code finch
 * vm ...} on Linux explains that instead.
 */
public record NativeGuest() implements GuestShell {
  /** What {@code finch vm ...} prints on Linux. */
  public static final String NO_VM_MESSAGE =
      "finch runs containers natively on Linux: there is no "
          + "virtual machine to manage; container commands use the local containerd";

  @Override
  public CommandSpec command(List<String> guestArgv, Map<String, String> guestEnv, Path hostCwd) {
    return CommandSpec.of(guestArgv).withEnv(guestEnv).withWorkdir(hostCwd).interactive();
  }

  @Override
  public boolean isVm() {
    return false;
  }
}
