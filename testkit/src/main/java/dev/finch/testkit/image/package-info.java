/**
 * Test images without a Docker engine: {@link dev.finch.testkit.image.TarLayer} (a deterministic
 * tar DSL), {@link dev.finch.testkit.image.OciLayoutWriter} (OCI image layout with config, manifest
 * and index), {@link dev.finch.testkit.image.OciArchive} (layout to OCI archive), and {@link
 * dev.finch.testkit.image.TestImages} (busybox recipe, {@code ctr images import}, {@code skopeo
 * copy}).
 */
package dev.finch.testkit.image;
