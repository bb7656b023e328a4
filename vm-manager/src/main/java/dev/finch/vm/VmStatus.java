package dev.finch.vm;

/** Finch's VM states; every {@code finch vm} command checks the current one before acting. */
public enum VmStatus {
  /** No instance exists: {@code vm init} creates one. */
  NONEXISTENT("Nonexistent"),
  /** The instance exists and is stopped: {@code vm start} boots it. */
  STOPPED("Stopped"),
  /** The instance is up: container commands run in it. */
  RUNNING("Running"),
  /** The backend reported something else (Lima's {@code Broken}); only forced commands act. */
  UNKNOWN("Unknown");

  private final String display;

  VmStatus(String display) {
    this.display = display;
  }

  /** What {@code finch vm status} prints. */
  public String display() {
    return display;
  }
}
