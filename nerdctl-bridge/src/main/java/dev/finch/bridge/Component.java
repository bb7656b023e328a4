package dev.finch.bridge;

/**
 * A versioned piece of the guest engine, as nerdctl reports it in {@code version --format json}.
 *
 * @param name e.g. {@code containerd}
 * @param version e.g. {@code v2.2.1}
 * @param gitCommit the commit, or empty when the tool does not say
 */
public record Component(String name, String version, String gitCommit) {}
