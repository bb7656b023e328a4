package dev.finch.cli;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code finch completion bash|zsh}: a completion script for the whole command tree, including the
 * pass-through commands. Usage: {@code source <(finch completion bash)}.
 */
@Command(name = "completion", description = "Print a shell completion script (bash or zsh).")
public final class CompletionCommand implements Callable<Integer> {
  @Parameters(index = "0", description = "bash or zsh")
  String shell;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    String script = AutoComplete.bash("finch", spec.root().commandLine());
    switch (shell) {
      case "bash" -> spec.commandLine().getOut().print(script);
      case "zsh" ->
          spec.commandLine()
              .getOut()
              .print(
                  "autoload -U +X compinit && compinit\nautoload -U +X bashcompinit && bashcompinit\n"
                      + script);
      default ->
          throw new FinchException.Failed(
              "unsupported shell \"" + shell + "\"; accepted: bash, zsh");
    }
    spec.commandLine().getOut().flush();
    return 0;
  }
}
