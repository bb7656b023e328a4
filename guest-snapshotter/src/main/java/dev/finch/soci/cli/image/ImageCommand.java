package dev.finch.soci.cli.image;

import picocli.CommandLine.Command;

/** {@code soci image}: images in containerd (lazy pull). */
@Command(
    name = "image",
    description = "Manage images in containerd with SOCI",
    mixinStandardHelpOptions = true,
    subcommands = {ImageRpullCommand.class})
public final class ImageCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
