package dev.finch.process;

import java.util.ArrayList;
import java.util.List;

/** A {@link Log} that keeps info and warn lines, prefixed with their level, for assertions. */
public final class RecordingLog implements Log {
  public final List<String> lines = new ArrayList<>();

  @Override
  public void info(String message) {
    lines.add("INFO " + message);
  }

  @Override
  public void warn(String message) {
    lines.add("WARN " + message);
  }

  @Override
  public void debug(String message) {
    // not recorded: debug output is not part of the contract
  }
}
