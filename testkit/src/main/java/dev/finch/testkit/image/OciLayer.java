package dev.finch.testkit.image;

/**
 * A layer blob and the digest of its uncompressed tar (the config's {@code rootfs.diff_ids} entry).
 */
public record OciLayer(OciBlob blob, String diffId) {}
