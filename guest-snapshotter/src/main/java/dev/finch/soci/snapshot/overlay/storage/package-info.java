/**
 * The overlay snapshotter's metadata store: snapshot rows with containerd's ids and parent chains,
 * read and write transactions, containerd's filter language for Walk, and their persistence as a
 * checkpoint file plus a checksummed write-ahead log.
 *
 * <p><b>Rules.</b> A write transaction returns only once its record is on stable storage; files are
 * replaced only through {@link dev.finch.soci.util.DurableFiles}. Crash points ({@link
 * dev.finch.soci.snapshot.overlay.storage.FaultHook}) exist so tests can stop the store where a
 * crash would. Never touches snapshot directories or mounts.
 */
package dev.finch.soci.snapshot.overlay.storage;
