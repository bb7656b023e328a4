package dev.finch.soci.store;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.finch.soci.oci.Digest;
import java.time.Instant;

/**
 * One row of the artifacts database: a SOCI index, a zTOC or a prefetch artifact, with what it was
 * built from. Field meanings follow the reference's artifacts.db keys.
 *
 * <pre>
 * {"digest":"sha256:...","size":1992,"originalDigest":"sha256:<layer>","imageDigest":"sha256:<manifest>",
 *  "platform":"linux/amd64","location":"containerd","type":"soci_layer","mediaType":"application/octet-stream",
 *  "createdAt":"2026-11-22T10:00:00Z","spanSize":4194304}</pre>
 *
 * @param digest the artifact's digest
 * @param originalDigest for a zTOC the image layer digest; for an index the image manifest digest
 * @param imageDigest for an index, the image manifest digest it indexes (v1 subject)
 * @param location the content store holding the blob: {@code containerd} or {@code soci}
 * @param artifactType for an index, the SOCI index artifact type (v1 or v2)
 * @param imageRef for an index, the image name it was created for (for {@code index list --ref})
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ArtifactEntry(
    Digest digest,
    long size,
    Digest originalDigest,
    Digest imageDigest,
    String platform,
    String location,
    ArtifactType type,
    String mediaType,
    String artifactType,
    Instant createdAt,
    long spanSize,
    String imageRef) {}
