/**
 * The {@code soci} entry point: {@link dev.finch.soci.cli.main.SociMain} (the process), {@link
 * dev.finch.soci.cli.main.SociCli} (runnable in-process, every failure one stderr line) and the
 * root command that registers every command group.
 */
package dev.finch.soci.cli.main;
