package dev.finch.cli.vm;

import dev.finch.cli.FinchContext;
import dev.finch.vm.VmLifecycle;
import picocli.CommandLine.Command;

/** {@code finch vm disk info}: limactl's listing of the VM's disks, verbatim. */
@Command(name = "info", description = "Show the virtual machine's disks.")
public final class VmDiskInfoCommand extends VmSubcommand {
  public VmDiskInfoCommand(FinchContext ctx) {
    super(ctx);
  }

  @Override
  int act(VmLifecycle vm) throws Exception {
    spec.commandLine().getOut().print(vm.diskInfo());
    return 0;
  }
}
