package dev.finch.cli.vm;

import dev.finch.cli.FinchContext;
import dev.finch.vm.VmLifecycle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code finch vm stop [-f]}; {@code -f} skips the state check to recover a broken VM. */
@Command(name = "stop", description = "Stop the running virtual machine.")
public final class VmStopCommand extends VmSubcommand {
  @Option(
      names = {"-f", "--force"},
      description = "Skip the state check and force the operation.")
  boolean force;

  public VmStopCommand(FinchContext ctx) {
    super(ctx);
  }

  @Override
  int act(VmLifecycle vm) throws Exception {
    vm.stop(force);
    return 0;
  }
}
