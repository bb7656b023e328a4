/**
 * The process seam of the guest code: every child process is started through a
 * {@link dev.finch.soci.util.process.CommandRunner}, so tests can record argv and fake output.
 */
package dev.finch.soci.util.process;
