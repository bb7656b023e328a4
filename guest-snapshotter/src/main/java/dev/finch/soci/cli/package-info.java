/**
 * The {@code soci} command line, split the way the reference splits its commands: this package
 * holds the global flags, the per-run context, the output helpers and the top-level commands
 * ({@code create}, {@code convert}, {@code push}, {@code rebuild-db}); {@code cli.index}, {@code
 * cli.ztoc} and {@code cli.image} hold their command groups, and {@code cli.main} the entry point
 * and the command tree that names them all (so no package of the CLI depends back on the one that
 * registers it). Commands parse flags, call the domain packages and print; the work itself (index
 * building, conversion, pulls) lives in {@code index}, {@code rpull} and below. Nothing outside the
 * CLI depends on it except {@code handoff} and {@code training}, which run it.
 */
package dev.finch.soci.cli;
