package dev.finch.bridge;

/**
 * nerdctl's help, shown as finch's: every {@code nerdctl} becomes {@code finch}, as Finch does
 * ({@code RunWithReplacingStdout}), so usage lines read {@code finch run [flags] IMAGE}.
 */
public final class HelpText {
  private HelpText() {}

  /** {@code text} with every {@code nerdctl} replaced by {@code finch}. */
  public static String rewrite(String text) {
    return text.replace("nerdctl", "finch");
  }
}
