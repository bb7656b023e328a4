package dev.finch.terminal;

import dev.finch.process.Tty;
import java.io.IOException;
import java.util.function.IntSupplier;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

/**
 * The width of the terminal stderr is on, from jline, for the progress lines of finch and soci.
 * jline is loaded only when a terminal is attached and only when something asks (a progress line),
 * so commands run by scripts, and the start-up of every command, never pay for it.
 */
public final class TerminalWidth {
  private TerminalWidth() {}

  /** The width as it changes with the window, or always 0 when stderr is not a terminal. */
  public static IntSupplier ofStderr() {
    if (!Tty.attached()) {
      return () -> 0;
    }
    try {
      // no signal handlers: the CLIs keep the JVM's own (Ctrl-C runs their shutdown hooks)
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
