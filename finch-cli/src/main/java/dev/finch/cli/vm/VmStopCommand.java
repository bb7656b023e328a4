package dev.finch.cli.vm;

import dev.finch.cli.FinchContext;
import dev.finch.vm.VmLifecycle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code finch vm stop [-f]}; {@code -f} skips the state check to recover a broken VM. */
@Command(name = "stop", description = "Stop the running virtual machine.")
public final class VmStopCommand extends VmSubcommand {
  @Mixin ForceOption options;

  public VmStopCommand(FinchContext ctx) {
    super(ctx);
  }

  @Override
  int act(VmLifecycle vm) throws Exception {
    vm.stop(options.force);
    return 0;
  }
}
