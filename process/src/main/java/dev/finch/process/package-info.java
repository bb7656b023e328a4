/**
 * The one process seam of finch and of the guest code, and the user-facing {@link
 * dev.finch.process.Log} with its progress line ({@link dev.finch.process.ProgressBar}, text only:
 * the CLIs find the terminal's width themselves, through jline, only when one is attached).
 *
 * <p>Rules: every child process, host or guest, is started through a {@link
 * dev.finch.process.CommandRunner}; only {@link dev.finch.process.ProcessCommandRunner} touches
 * {@link java.lang.ProcessBuilder} (outside the testkit's fixtures, which start their own daemons),
 * so tests substitute a recording runner and assert exact argv. A non-zero exit is a {@link
 * dev.finch.process.CommandResult}, never an exception, because the caller decides what it means (a
 * guest's exit status is finch's). The one failure type is the checked {@link
 * dev.finch.process.CommandFailedException}: the program could not start, ran past its timeout, or
 * a caller asked {@link dev.finch.process.CommandResult#orThrow} for success. This module depends
 * on nothing but the JDK, so any module may use it.
 */
package dev.finch.process;
