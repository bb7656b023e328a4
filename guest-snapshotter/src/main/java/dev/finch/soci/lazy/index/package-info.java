/**
 * Which SOCI index an image uses, and the artifacts it names: {@link
 * dev.finch.soci.lazy.index.IndexResolver} finds an image manifest's index (the recorded answer of
 * an earlier run, then the snapshot's index label, the v2 manifest annotation, the v1 referrers),
 * and fetches the index, a layer's zTOC and its prefetch artifact into the {@link
 * dev.finch.soci.lazy.index.ArtifactCache} under the daemon root, so a restarted daemon re-mounts
 * without the registry.
 *
 * <p>Rule: every artifact read here is checked against its digest before it is used or cached.
 */
package dev.finch.soci.lazy.index;
