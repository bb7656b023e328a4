package dev.finch.process;

/**
 * Progress and warnings for the user, on stderr (stdout stays clean for command output such as
 * {@code vm status}). The CLI decides the format.
 */
public interface Log {
  void info(String message);

  void warn(String message);

  /** Shown only with {@code --debug}. */
  void debug(String message);

  /**
   * Long work (the VM's provisioning) has finished {@code done} of its {@code total} steps and
   * begun the one named {@code step}. The default prints the info line {@code " " + step}, which is
   * what scripts and logs see; a CLI on a terminal redraws one progress line in place instead
   * ({@link ProgressBar}).
   *
   * @param work what the steps belong to, e.g. {@code provisioning}
   */
  default void progress(String work, String step, int done, int total) {
    info("  " + step);
  }
}
