/**
 * What a lazy-loading plug-in gets from the daemon that hosts it: {@link
 * dev.finch.soci.spi.RemotePreparerFactory} (how the daemon asks for the plug-in), {@link
 * dev.finch.soci.spi.PluginContext} (the root it owns, the event sink, the metrics registry) and
 * {@link dev.finch.soci.spi.PluginConfig} (the configuration keys it honours, filled by the daemon
 * from its {@code config.toml}).
 *
 * <p>Rules: this package depends on nothing of ours but {@code snapshot}'s {@link
 * dev.finch.soci.snapshot.RemotePreparer}; the daemon and the plug-in both depend on it, never on
 * each other (the daemon finds the plug-in with {@link java.util.ServiceLoader}).
 */
package dev.finch.soci.spi;
