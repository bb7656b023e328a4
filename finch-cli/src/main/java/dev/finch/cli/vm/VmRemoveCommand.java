package dev.finch.cli.vm;

import dev.finch.cli.FinchContext;
import dev.finch.vm.VmLifecycle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code finch vm remove [-f]}; {@code -f} skips the state check to recover a broken VM. */
@Command(
    name = "remove",
    description = "Remove the stopped virtual machine (the data disk is kept).")
public final class VmRemoveCommand extends VmSubcommand {
  @Mixin ForceOption options;

  public VmRemoveCommand(FinchContext ctx) {
    super(ctx);
  }

  @Override
  int act(VmLifecycle vm) throws Exception {
    vm.remove(options.force);
    return 0;
  }
}
