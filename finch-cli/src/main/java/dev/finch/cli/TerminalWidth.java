package dev.finch.cli;

import java.io.IOException;
import java.util.function.IntSupplier;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

/**
 * The width of the terminal stderr is on, from jline. jline is loaded only when a console is
 * attached and only when something asks (a progress line), so commands run by scripts, and the
 * start-up of every command, never pay for it.
 */
final class TerminalWidth {
  private TerminalWidth() {}

  /** The width as it changes with the window, or always 0 when stderr is not a terminal. */
  static IntSupplier ofStderr() {
    if (!dev.finch.process.Tty.attached()) {
      return () -> 0;
    }
    try {
      // no signal handlers: finch keeps the JVM's own (Ctrl-C runs its shutdown hooks)
      Terminal t =
          TerminalBuilder.builder()
              .system(true)
              .dumb(true)
              .nativeSignals(false)
              .systemOutput(TerminalBuilder.SystemOutput.SysErr)
              .build();
      return t.getType().startsWith(Terminal.TYPE_DUMB) ? () -> 0 : t::getWidth;
    } catch (IOException | RuntimeException e) {
      return () -> 0;
    }
  }
}
