/**
 * The lazy-loading plug-in of the daemon: {@link dev.finch.soci.lazy.LazyPreparer} decides per
 * layer whether a Prepare is answered with a lazy FUSE mount, a local unpack or a deferral to
 * containerd; {@link dev.finch.soci.lazy.LazyPreparerFactory} builds it from the daemon's {@link
 * dev.finch.soci.spi.PluginContext}. The jobs live in sub-packages: {@code index} (which SOCI index
 * an image uses, and its artifacts), {@code hosts} (registry clients per host), {@code mount}
 * (layer mounts, spans, background fetch, local unpack) and {@code metrics}.
 *
 * <p>Rules: nothing here imports {@code dev.finch.soci.daemon}; what the plug-in needs from its
 * host comes through {@code dev.finch.soci.spi}. Only {@link
 * dev.finch.soci.lazy.LazyPreparerFactory} assembles the plug-in's objects.
 */
package dev.finch.soci.lazy;
