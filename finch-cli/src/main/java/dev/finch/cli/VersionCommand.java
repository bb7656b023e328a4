package dev.finch.cli;

import dev.finch.bridge.BridgeException;
import dev.finch.bridge.GuestVersions;
import dev.finch.vm.VmLifecycle;
import dev.finch.vm.VmStatus;
import java.io.PrintWriter;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code finch version}: finch's version plus the guest's nerdctl, containerd, runc and snapshotter
 * versions in Finch's layout. When the guest cannot answer, finch's own version is still printed
 * before the error, as Finch does.
 */
@Command(name = "version", description = "Show the version of finch and of the guest's engine.")
public final class VersionCommand implements Callable<Integer> {
  static final String VM_NOT_RUNNING =
      "detailed version info is unavailable because VM is not running";
  private final FinchContext ctx;

  @Option(
      names = {"-f", "--format"},
      description = "json, or a template such as {{.Client.Version}}")
  String format;

  /** Sets {@code --format} when finch runs {@code version} itself, without parsing. */
  public void format(String template) {
    format = template;
  }

  public VersionCommand(FinchContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter out = ctx.out();
    GuestVersions versions;
    try {
      Optional<VmLifecycle> vm = ctx.lifecycle();
      if (vm.isPresent()) {
        if (ctx.finchConfig().autoVmStart()) {
          vm.get().ensureRunning();
        } else if (vm.get().status() != VmStatus.RUNNING) {
          throw new FinchException.Failed(VM_NOT_RUNNING);
        }
      }
      versions = ctx.engine().versions();
    } catch (BridgeException | FinchException | dev.finch.vm.VmException e) {
      out.println("Finch version:\t" + ctx.env().version());
      out.flush();
      throw e;
    }
    VersionReport report = new VersionReport(ctx.env(), versions);
    out.print(format == null ? report.text() : report.format(format));
    out.flush();
    Optional<String> problem = versions.containerdProblem();
    if (problem.isPresent()) {
      throw new FinchException.Failed(problem.get());
    }
    return 0;
  }
}
