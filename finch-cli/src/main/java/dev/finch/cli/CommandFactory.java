package dev.finch.cli;

import picocli.CommandLine;
import picocli.CommandLine.IFactory;

/**
 * Builds picocli command objects with the invocation's {@link FinchContext}, so commands stay thin
 * (parse, call a service, print) and tests can hand them a context with a recording runner.
 */
public final class CommandFactory implements IFactory {
  private final FinchContext ctx;

  public CommandFactory(FinchContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public <K> K create(Class<K> cls) throws Exception {
    try {
      return cls.getDeclaredConstructor(FinchContext.class).newInstance(ctx);
    } catch (NoSuchMethodException e) {
      return CommandLine.defaultFactory().create(cls);
    }
  }
}
