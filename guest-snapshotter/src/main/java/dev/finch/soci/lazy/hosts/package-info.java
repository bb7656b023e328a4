/**
 * The registries the lazy-loading plug-in talks to: one {@link
 * dev.finch.soci.registry.RegistryClient} per registry host (its connections and auth tokens shared
 * by every layer of that host), each with the Docker credential chain, and the set of hosts spoken
 * to over plain HTTP (insecure mirrors of themselves in {@code [resolver]}, and loopback).
 *
 * <p>Rule: the rest of {@code lazy} gets its registry clients from {@link
 * dev.finch.soci.lazy.hosts.RegistryHosts}, never builds one itself.
 */
package dev.finch.soci.lazy.hosts;
