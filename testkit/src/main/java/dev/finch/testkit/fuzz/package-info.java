/**
 * Fuzzing of parsers of untrusted input, for every module's tests: {@link
 * dev.finch.testkit.fuzz.FuzzTarget} (a parser, its seeds and its typed errors), {@link
 * dev.finch.testkit.fuzz.Fuzzer} (time- and memory-bounded runs, findings written to {@code
 * target/fuzz-findings/}), {@link dev.finch.testkit.fuzz.Mutator} (byte-level mutations) and {@link
 * dev.finch.testkit.fuzz.RandomText} (structure-aware pieces: JSON, TOML and YAML values, edge-case
 * numbers).
 */
package dev.finch.testkit.fuzz;
