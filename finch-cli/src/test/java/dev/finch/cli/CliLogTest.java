package dev.finch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** The log's lines, on a terminal of a given width and off one. */
class CliLogTest {
  private final StringWriter text = new StringWriter();

  private CliLog log(boolean debug, Supplier<IntSupplier> terminal) {
    return new CliLog(new PrintWriter(text), debug, terminal);
  }

  @Test
  void offATerminalEachStepIsAPlainInfoLine() {
    CliLog log = log(false, () -> () -> 0);
    log.info("Guest booted in 20 s; provisioning (containerd, the soci snapshotter)...");
    log.progress("provisioning", "mounts", 0, 6);
    log.progress("provisioning", "guest bundle", 2, 6);
    log.info("Guest ready in 61 s (engine: nerdctl)");
    assertThat(text.toString().replace(System.lineSeparator(), "\n"))
        .isEqualTo(
            """
        INFO[0000] Guest booted in 20 s; provisioning (containerd, the soci snapshotter)...
        INFO[0000]   mounts
        INFO[0000]   guest bundle
        INFO[0000] Guest ready in 61 s (engine: nerdctl)
        """);
  }

  @Test
  void onATerminalOneLineIsRedrawnInPlaceAndTheNextInfoReplacesIt() {
    CliLog log = log(true, () -> () -> 60);
    log.progress("provisioning", "mounts", 0, 6);
    log.progress("provisioning", "guest bundle", 2, 6);
    log.debug("running ssh");
    log.info("Guest ready in 61 s (engine: nerdctl)");
    String nl = System.lineSeparator();
    assertThat(text.toString())
        .isEqualTo(
            "\rINFO[0000] provisioning [>          ] 0/6 mounts\033[K"
                + "\rINFO[0000] provisioning [===>       ] 2/6 guest bundle\033[K"
                // a debug line scrolls above the progress, which is drawn again below it
                + "\r\033[KDEBU[0000] running ssh"
                + nl
                + "\rINFO[0000] provisioning [===>       ] 2/6 guest bundle\033[K"
                + "\r\033[KINFO[0000] Guest ready in 61 s (engine: nerdctl)"
                + nl);
  }

  @Test
  void theProgressLineNeverExceedsTheTerminal() {
    for (int width : new int[] {8, 20, 33, 47, 80}) {
      text.getBuffer().setLength(0);
      log(false, () -> () -> width).progress("provisioning", "containerd, runc, nerdctl", 1, 6);
      String drawn = text.toString();
      String line = drawn.substring(1, drawn.length() - "\033[K".length());
      assertThat(line.length()).as("width %d: %s", width, line).isLessThan(width);
    }
  }

  @Test
  void theTerminalIsLookedUpOnlyForProgressAndOnce() {
    AtomicInteger asked = new AtomicInteger();
    CliLog log =
        log(
            false,
            () -> {
              asked.incrementAndGet();
              return () -> 0;
            });
    log.info("a");
    log.warn("b");
    log.fatal("c");
    assertThat(asked).hasValue(0);
    log.progress("provisioning", "mounts", 0, 6);
    log.progress("provisioning", "done", 6, 6);
    assertThat(asked).hasValue(1);
  }
}
