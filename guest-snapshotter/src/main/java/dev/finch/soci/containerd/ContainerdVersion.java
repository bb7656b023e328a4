package dev.finch.soci.containerd;

/** The daemon's build, e.g. {@code 1.6.20~ds1} at revision {@code 1.6.20~ds1-1+b1}. */
public record ContainerdVersion(String version, String revision) {}
