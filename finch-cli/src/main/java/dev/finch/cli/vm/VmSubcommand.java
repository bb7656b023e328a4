package dev.finch.cli.vm;

import dev.finch.cli.FinchContext;
import dev.finch.vm.NativeGuest;
import dev.finch.vm.VmLifecycle;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * Template for {@code finch vm <verb>}: on Linux explain that no VM is needed, elsewhere hand the
 * VM state machine to the subcommand. Subcommands print through picocli's writers.
 */
abstract class VmSubcommand implements Callable<Integer> {
  protected final FinchContext ctx;

  @Spec CommandSpec spec;

  VmSubcommand(FinchContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public final Integer call() throws Exception {
    Optional<VmLifecycle> vm = ctx.lifecycle();
    if (vm.isEmpty()) {
      spec.commandLine().getOut().println(NativeGuest.NO_VM_MESSAGE);
      spec.commandLine().getOut().flush();
      return 0;
    }
    int rc = act(vm.get());
    spec.commandLine().getOut().flush();
    return rc;
  }

  /** Performs the verb; illegal transitions throw with Finch's message. */
  abstract int act(VmLifecycle vm) throws Exception;
}
