/**
 * The OCI distribution registry client: {@link dev.finch.soci.registry.RegistryClient} is the one
 * public entry point; each registry call is a small package-private {@code RegistryEndpoint} class,
 * and {@code EndpointCaller.call} is the single loop that authenticates, retries, follows redirects
 * and picks the scheme.
 *
 * <p>Choices worth knowing:
 *
 * <ul>
 *   <li>Scheme: https with certificate verification unless the host is in the caller's plain-http
 *       set ({@code --plain-http}). For a loopback host (127.0.0.0/8, localhost, [::1]) an https
 *       attempt that gets a non-TLS answer switches the client to http; a certificate failure never
 *       does, so a TLS registry with an untrusted certificate fails loudly instead of being
 *       downgraded. {@code --skip-verify} trusts any certificate.
 *   <li>Retries: connect and I/O errors, 429, and 5xx except 501, with exponential backoff and
 *       jitter ({@link dev.finch.soci.registry.RetryPolicy}, defaults as the reference: 8 retries,
 *       30 ms first wait). A 401 re-authenticates once per call, and so does ECR's 403 "Your
 *       authorization token has expired" (credentials asked for afresh); an S3 400 ExpiredToken
 *       from a blob's signed storage URL gets one fresh redirect from the registry.
 *   <li>Blob range reads send {@code Accept-Encoding: identity}, accept 206 single part, 206
 *       multipart/byteranges, or 200, and check {@code Content-Range}; the storage URL a blob
 *       redirects to is remembered and used directly, without the registry's Authorization header.
 *   <li>Referrers: the referrers API when the registry has it, else the {@code sha256-<hex>} tag
 *       schema, maintained on push as oras-go does (distribution 2.8 has no referrers API).
 * </ul>
 *
 * @see <a href="https://github.com/opencontainers/distribution-spec/blob/main/spec.md">OCI
 *     distribution spec</a>
 */
package dev.finch.soci.registry;
