package dev.finch.soci.snapshot.overlay;

import dev.finch.soci.snapshot.Info;
import dev.finch.soci.snapshot.SnapshotLabels;
import java.nio.file.Path;

/**
 * A committed remote snapshot found on start: the daemon must re-mount its lazy layer on {@code
 * fsDir} (with the credentials of {@code namespace}) before containers can use it, because FUSE
 * mounts do not survive a daemon restart.
 *
 * @param namespace the {@link SnapshotLabels#TARGET_NAMESPACE} label, {@code ""} if absent
 */
public record RestorableSnapshot(Info info, String id, Path fsDir, String namespace) {}
