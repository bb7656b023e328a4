package dev.finch.cli.vm;

import dev.finch.cli.FinchContext;
import dev.finch.vm.VmLifecycle;
import picocli.CommandLine.Command;

/** {@code finch vm init}. */
@Command(name = "init", description = "Create and start the virtual machine (it must not exist).")
public final class VmInitCommand extends VmSubcommand {
  public VmInitCommand(FinchContext ctx) {
    super(ctx);
  }

  @Override
  int act(VmLifecycle vm) throws Exception {
    vm.init();
    return 0;
  }
}
