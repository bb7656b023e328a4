/**
 * The user's terminal, through jline: {@link dev.finch.terminal.TerminalWidth}. The one module
 * besides the CLIs that loads jline, so its cost stays where a terminal is.
 */
package dev.finch.terminal;
