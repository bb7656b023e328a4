package dev.finch.testkit;

/** Tearing fixtures down in a test's {@code @AfterAll}. */
public final class Fixtures {
  private Fixtures() {}

  /**
   * Closes each non-null resource in order (containerd before the daemon it proxies to, the
   * registry last), going on past failures; the first is rethrown with the others suppressed.
   */
  public static void closeAll(AutoCloseable... inOrder) {
    RuntimeException first = null;
    for (AutoCloseable c : inOrder) {
      if (c == null) {
        continue;
      }
      try {
        c.close();
      } catch (Exception e) {
        RuntimeException r = e instanceof RuntimeException re ? re : new IllegalStateException(e);
        if (first == null) {
          first = r;
        } else {
          first.addSuppressed(r);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }
}
