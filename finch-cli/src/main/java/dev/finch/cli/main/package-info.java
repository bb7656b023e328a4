/**
 * The {@code finch} entry point: {@link dev.finch.cli.main.FinchMain} (the process), {@link
 * dev.finch.cli.main.FinchCli} (parses, dispatches to the command groups in {@code cli.vm} and
 * {@code cli.passthrough}, maps failures to exit codes) and the build-time AOT training. Kept apart
 * so the command groups depend on {@code cli} and never back on the tree that registers them.
 */
package dev.finch.cli.main;
