package dev.finch.process;

/** Whether finch (or soci) runs attached to a terminal. */
public final class Tty {
  private Tty() {}

  /**
   * True when standard input and output are a terminal. Since JDK 22 {@link System#console()}
   * returns a console even when the streams are redirected, so its being non-null says nothing;
   * {@link java.io.Console#isTerminal()} does.
   */
  public static boolean attached() {
    java.io.Console c = System.console();
    return c != null && c.isTerminal();
  }
}
