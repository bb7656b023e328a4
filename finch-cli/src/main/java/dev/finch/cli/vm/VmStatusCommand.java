package dev.finch.cli.vm;

import dev.finch.cli.FinchContext;
import dev.finch.config.PendingChange;
import dev.finch.vm.VmLifecycle;
import dev.finch.vm.VmStatus;
import picocli.CommandLine.Command;

/**
 * {@code finch vm status}: prints exactly {@code Running}, {@code Stopped} or {@code Nonexistent}
 * on stdout; finch.yaml changes not yet applied to an existing VM are listed on stderr.
 */
@Command(name = "status", description = "Show the status of the virtual machine.")
public final class VmStatusCommand extends VmSubcommand {
  public VmStatusCommand(FinchContext ctx) {
    super(ctx);
  }

  @Override
  int act(VmLifecycle vm) throws Exception {
    VmStatus status = vm.knownStatus();
    spec.commandLine().getOut().println(status.display());
    if (status != VmStatus.NONEXISTENT) {
      for (PendingChange p : vm.pendingChanges()) {
        ctx.log().warn(p.message());
      }
    }
    return 0;
  }
}
