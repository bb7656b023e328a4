package dev.finch.config;

/**
 * A finch.yaml key whose value changed since the VM last applied it, and what the user must run for
 * the new value to take effect.
 *
 * @param key finch.yaml key
 * @param applied value the running or stopped VM was configured with
 * @param current value in finch.yaml now
 * @param activation what applies it
 */
public record PendingChange(String key, String applied, String current, Activation activation) {

  /** The VM operations that apply a key. */
  public enum Activation {
    /** Re-applied on every {@code finch vm start}. */
    RESTART("`finch vm stop` and `finch vm start`"),
    /** Fixed when the VM is created by {@code finch vm init}. */
    REINIT("`finch vm remove` and `finch vm init`");

    private final String commands;

    Activation(String commands) {
      this.commands = commands;
    }

    /** The commands to run, for messages. */
    public String commands() {
      return commands;
    }
  }

  /** One line for the user, e.g. {@code cpus changed from 2 to 4 in finch.yaml; ...}. */
  public String message() {
    return key
        + " changed from "
        + applied
        + " to "
        + current
        + " in finch.yaml; it takes effect after "
        + activation.commands();
  }
}
