/**
 * Layer mounts of the lazy-loading plug-in: a layer with a zTOC is a FUSE mount ({@link
 * dev.finch.soci.lazy.mount.LayerMounts}) whose reads are served from span files ({@link
 * dev.finch.soci.lazy.mount.SpanStore}) fetched on demand by range requests ({@link
 * dev.finch.soci.lazy.mount.RemoteLayer}) and filled in the background ({@link
 * dev.finch.soci.lazy.mount.BackgroundFetcher}); a layer without one is unpacked into its snapshot
 * directory ({@link dev.finch.soci.lazy.mount.LocalUnpacker}). {@link
 * dev.finch.soci.lazy.mount.Warmup} runs the whole path once at start.
 *
 * <p>Rules: no byte is served that was not checked against its span digest; a span file that exists
 * is whole.
 */
package dev.finch.soci.lazy.mount;
