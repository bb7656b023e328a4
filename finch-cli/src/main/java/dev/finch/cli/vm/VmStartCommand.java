package dev.finch.cli.vm;

import dev.finch.cli.FinchContext;
import dev.finch.vm.VmLifecycle;
import picocli.CommandLine.Command;

/** {@code finch vm start}. */
@Command(
    name = "start",
    description = "Start the stopped virtual machine, applying finch.yaml changes.")
public final class VmStartCommand extends VmSubcommand {
  public VmStartCommand(FinchContext ctx) {
    super(ctx);
  }

  @Override
  int act(VmLifecycle vm) throws Exception {
    vm.start();
    return 0;
  }
}
