/**
 * The rpull handoff: {@link dev.finch.soci.handoff.HandoffClient} (the {@code soci} launcher's
 * first step, a few classes with their own small jar) hands a shell's {@code soci image rpull} to
 * the running daemon over a 0600 unix socket, where {@link dev.finch.soci.handoff.HandoffServer} (a
 * daemon extension found through {@link java.util.ServiceLoader}) runs it in the daemon's warm JVM
 * with the caller's output and exit code. The wire format is {@link
 * dev.finch.soci.handoff.Handoff}.
 */
package dev.finch.soci.handoff;
