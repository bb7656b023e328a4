package dev.finch.process;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A {@link CommandRunner} for tests: records every spec and answers from rules (first match wins),
 * exit 0 with no output otherwise. Shared with every module's tests via this module's test-jar.
 * Safe to call from several threads (a push with soci runs two commands at once).
 */
public final class RecordingRunner implements CommandRunner {
  private record Rule(Predicate<CommandSpec> when, Function<CommandSpec, CommandResult> answer) {}

  private final List<CommandSpec> specs = Collections.synchronizedList(new ArrayList<>());
  private final List<Rule> rules = new CopyOnWriteArrayList<>();

  /** Answers commands whose argv contains {@code words} in order (as a contiguous run). */
  public RecordingRunner when(List<String> words, CommandResult result) {
    rules.add(new Rule(s -> containsRun(s.argv(), words), s -> result));
    return this;
  }

  public RecordingRunner when(Predicate<CommandSpec> when, CommandResult result) {
    rules.add(new Rule(when, s -> result));
    return this;
  }

  /**
   * Answers commands whose argv contains {@code words} with {@code answer}, called when the command
   * runs (it may wait for another command, to pin down what runs at the same time).
   */
  public RecordingRunner answer(List<String> words, Function<CommandSpec, CommandResult> answer) {
    rules.add(new Rule(s -> containsRun(s.argv(), words), answer));
    return this;
  }

  private static boolean containsRun(List<String> argv, List<String> words) {
    return Collections.indexOfSubList(argv, words) >= 0;
  }

  @Override
  public CommandResult run(CommandSpec spec) {
    specs.add(spec);
    for (Rule r : rules) {
      if (r.when().test(spec)) {
        return r.answer().apply(spec);
      }
    }
    return new CommandResult(0, "", "");
  }

  public List<CommandSpec> specs() {
    synchronized (specs) {
      return List.copyOf(specs);
    }
  }

  public List<List<String>> argvs() {
    synchronized (specs) {
      return specs.stream().map(CommandSpec::argv).toList();
    }
  }
}
