package dev.finch.cli;

import dev.finch.bridge.BridgeException;
import dev.finch.config.ConfigException;
import dev.finch.process.CommandFailedException;
import dev.finch.vm.VmException;

/**
 * Every way a finch command ends other than success, with its exit code. Lower modules throw their
 * own checked exceptions; {@link #from} maps them here so exit codes and printing live in one place
 * ({@link ErrorHandler}).
 */
public abstract sealed class FinchException extends RuntimeException
    permits FinchException.Failed, FinchException.GuestExit {
  private static final long serialVersionUID = 1L;
  private final int exitCode;

  private FinchException(String message, int exitCode, Throwable cause) {
    super(message, cause);
    this.exitCode = exitCode;
  }

  /** The status finch exits with. */
  public int exitCode() {
    return exitCode;
  }

  /** finch itself failed: the message is printed, exit status 1. */
  public static final class Failed extends FinchException {
    private static final long serialVersionUID = 1L;

    public Failed(String message, Throwable cause) {
      super(message, 1, cause);
    }

    public Failed(String message) {
      this(message, null);
    }
  }

  /** The guest command failed: it already said why; finch exits with its status, silently. */
  public static final class GuestExit extends FinchException {
    private static final long serialVersionUID = 1L;

    public GuestExit(int exitCode) {
      super("guest command exited with status " + exitCode, exitCode, null);
    }
  }

  /** Maps any failure to the exception finch reports. */
  public static FinchException from(Throwable t) {
    return switch (t) {
      case FinchException f -> f;
      case ConfigException e -> new Failed(e.getMessage(), e);
      case VmException e -> new Failed(e.getMessage(), e);
      case BridgeException e -> new Failed(e.getMessage(), e);
      case CommandFailedException e -> new Failed(e.getMessage(), e);
      default -> new Failed("unexpected error: " + t + " (rerun with --debug for details)", t);
    };
  }
}
