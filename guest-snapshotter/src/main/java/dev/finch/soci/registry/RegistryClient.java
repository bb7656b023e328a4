package dev.finch.soci.registry;

import dev.finch.soci.oci.Descriptor;
import dev.finch.soci.oci.Digest;
import dev.finch.soci.oci.ImageIndex;
import dev.finch.soci.oci.ImageRef;
import dev.finch.soci.oci.MediaTypes;
import dev.finch.soci.oci.Platform;
import dev.finch.soci.registry.auth.Authorizer;
import dev.finch.soci.registry.auth.CredentialRetriever;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLContext;

/**
 * A client for one OCI distribution registry host (all its repositories), e.g. {@code
 * 127.0.0.1:5000} or {@code docker.io}. It resolves references, moves manifests and blobs (whole,
 * by byte range, and uploads), and lists referrers, falling back to the referrers tag schema on
 * registries without the referrers API. One instance shares its HTTP connections, auth tokens
 * (cached per repository scope) and the storage URLs blobs redirect to; it is safe for concurrent
 * use.
 *
 * <pre>{@code
 * RegistryClient client = RegistryClient.builder("127.0.0.1:5000").plainHttp(true).build();
 * ManifestBytes image = client.resolveImageManifest(ImageRef.parse("127.0.0.1:5000/foo:bar"), Platform.host());
 * byte[] span = client.fetchBlobRange("foo", layerDigest, new ByteRange(0, 4096));
 * }</pre>
 *
 * <p>Every failure is a {@link RegistryException} whose message is one line naming the action.
 *
 * @see <a href="https://github.com/opencontainers/distribution-spec/blob/main/spec.md">OCI
 *     distribution spec</a>
 */
public final class RegistryClient implements AutoCloseable {
  private final EndpointCaller caller;
  private final BlobUploader uploader;
  private final String registry;
  private final Map<String, URI> realUrls = new ConcurrentHashMap<>();
  private final Referrers referrers;
  private volatile boolean singleRangeMode;

  private RegistryClient(
      EndpointCaller caller, int chunkSize, long monolithicLimit, boolean singleRangeMode) {
    this.caller = caller;
    this.singleRangeMode = singleRangeMode;
    this.registry = caller.registry();
    this.uploader = new BlobUploader(caller, chunkSize, monolithicLimit);
    this.referrers = new Referrers(this, caller);
  }

  /**
   * Starts configuring a client for {@code registry} as references name it ({@code host[:port]}).
   */
  public static Builder builder(String registry) {
    return new Builder(registry);
  }

  /** The registry as references name it. */
  public String registry() {
    return registry;
  }

  /** The scheme and authority currently used, e.g. {@code http://127.0.0.1:5000}. */
  public URI baseUri() {
    return caller.base();
  }

  // ---- manifests ----

  /** The descriptor {@code ref} points to (HEAD, falling back to GET); a manifest or an index. */
  public Descriptor resolve(ImageRef ref) {
    checkRegistry(ref);
    Descriptor d = caller.call(new ManifestHead(registry, ref.repository(), ref.reference()));
    if (d == null || (ref.digest() != null && !ref.digest().equals(d.digest()))) {
      d = fetchManifest(ref).descriptor();
    }
    return d;
  }

  /**
   * The manifest or index {@code ref} names, by digest when it has one (bytes verified), else by
   * tag.
   */
  public ManifestBytes fetchManifest(ImageRef ref) {
    checkRegistry(ref);
    return fetchManifest(ref.repository(), ref.reference());
  }

  /**
   * The manifest or index stored under {@code reference} (a tag or a digest) in {@code repository}.
   */
  public ManifestBytes fetchManifest(String repository, String reference) {
    return caller.call(new ManifestFetch(registry, repository, reference));
  }

  /** The manifest or index with {@code digest}; its bytes are verified. */
  public ManifestBytes fetchManifest(String repository, Digest digest) {
    return fetchManifest(repository, digest.toString());
  }

  /** True when {@code ref} exists (HEAD). */
  public boolean manifestExists(ImageRef ref) {
    checkRegistry(ref);
    try {
      resolve(ref);
      return true;
    } catch (RegistryException.NotFound e) {
      return false;
    }
  }

  /**
   * The image manifest for {@code platform}: {@code ref} itself if it is a manifest, else the
   * matching entry of its index. Throws {@link RegistryException.NoMatchingPlatform} listing the
   * index's platforms when none matches.
   */
  public ManifestBytes resolveImageManifest(ImageRef ref, Platform platform) {
    ManifestBytes top = fetchManifest(ref);
    if (!top.isIndex()) {
      return top;
    }
    ImageIndex index = top.index();
    List<String> available = new ArrayList<>();
    for (Descriptor d : index.manifests()) {
      if (d.platform() == null || !MediaTypes.isManifest(d.mediaType())) {
        continue;
      }
      if (platform.matches(d.platform())) {
        return fetchManifest(ref.repository(), d.digest());
      }
      available.add(d.platform().toString());
    }
    throw new RegistryException.NoMatchingPlatform(
        "resolve " + ref, platform.toString(), available);
  }

  /**
   * Stores a manifest or index under {@code reference} (a tag, or its digest) and answers its
   * digest. When it has a {@code subject} and the registry does not index referrers itself, the
   * subject's referrers fallback tag ({@code sha256-<hex>}) is updated, as oras-go does.
   */
  public Digest pushManifest(String repository, String reference, String mediaType, byte[] bytes) {
    ManifestPush.Result r =
        caller.call(new ManifestPush(registry, repository, reference, mediaType, bytes));
    if (!r.subjectIndexed()) {
      Optional<ReferrersFallback.Referrer> referrer = ReferrersFallback.describe(mediaType, bytes);
      if (referrer.isPresent() && !referrers.apiSupported(repository)) {
        ReferrersFallback.add(this, repository, referrer.get());
      }
    }
    return r.digest();
  }

  /** {@link #pushManifest(String, String, String, byte[])} under {@code target}'s tag or digest. */
  public Digest pushManifest(ImageRef target, String mediaType, byte[] bytes) {
    checkRegistry(target);
    return pushManifest(target.repository(), target.reference(), mediaType, bytes);
  }

  /** A plain PUT, without referrers bookkeeping. */
  Digest putManifest(String repository, String reference, String mediaType, byte[] bytes) {
    return caller
        .call(new ManifestPush(registry, repository, reference, mediaType, bytes))
        .digest();
  }

  /** Deletes a manifest by digest; false when it was not there or the registry forbids deletes. */
  public boolean deleteManifest(String repository, Digest digest) {
    return caller.call(new ManifestDelete(registry, repository, digest));
  }

  /** The repository's tags, empty when the repository does not exist. */
  public List<String> listTags(String repository) {
    return caller.call(new TagsList(registry, repository));
  }

  // ---- blobs ----

  /** True when the blob exists (HEAD). */
  public boolean blobExists(String repository, Digest digest) {
    return caller.call(new BlobHead(registry, repository, digest, false)).isPresent();
  }

  /**
   * Opens the whole blob as a stream that verifies the digest while it is read: reading to the end
   * throws {@link DigestMismatchException} if the content is wrong. Close it when done.
   */
  public InputStream openBlob(String repository, Digest digest) {
    return caller.call(new BlobFetch(registry, repository, digest));
  }

  /** Copies the whole blob to {@code sink}, verifying its digest; answers the number of bytes. */
  public long fetchBlob(String repository, Digest digest, OutputStream sink) {
    byte[] buf = new byte[64 * 1024];
    long total = 0;
    try (InputStream in = openBlob(repository, digest)) {
      while (true) {
        int n;
        try {
          n = in.read(buf);
        } catch (IOException e) {
          throw new RegistryException.Unreachable(
              "pull blob " + V2.name(registry, repository, digest.toString()),
              registry,
              EndpointCaller.describe(e),
              e);
        }
        if (n < 0) {
          return total;
        }
        sink.write(buf, 0, n);
        total += n;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("writing blob " + digest + ": " + e.getMessage(), e);
    }
  }

  /** The bytes {@code [range.start, range.end)} of a blob, in one Range request. */
  public byte[] fetchBlobRange(String repository, Digest digest, ByteRange range) {
    return fetchBlobRanges(repository, digest, List.of(range)).getFirst();
  }

  /**
   * The bytes of several ranges of one blob, in one request: overlapping and adjacent ranges are
   * merged, the merged list is sent as {@code Range: bytes=a-b,c-d}, and the answer (206 single
   * part, 206 multipart/byteranges, or 200 whole body) is sliced back into one array per requested
   * range, in the order given. The storage URL a blob redirects to is remembered and used directly
   * next time (re-resolved once if it stops working). A registry that answers 400 to a multi-range
   * request is sent one range per request from then on, as the reference does.
   */
  public List<byte[]> fetchBlobRanges(String repository, Digest digest, List<ByteRange> ranges) {
    List<ByteRange> merged = ByteRange.merge(ranges);
    List<byte[]> data = null;
    if (merged.size() > 1 && !singleRangeMode) {
      try {
        data = rangeRequest(repository, digest, merged);
      } catch (RegistryException.UnexpectedResponse e) {
        if (e.status() != 400) {
          throw e;
        }
        // Like the reference: a 400 to a multi-range request means "one range per request, please".
        singleRangeMode = true;
      }
    }
    if (data == null) {
      data = new ArrayList<>(merged.size());
      for (ByteRange m : merged) {
        data.add(rangeRequest(repository, digest, List.of(m)).getFirst());
      }
    }
    List<byte[]> out = new ArrayList<>(ranges.size());
    for (ByteRange r : ranges) {
      int i = 0;
      while (!merged.get(i).contains(r)) {
        i++;
      }
      ByteRange m = merged.get(i);
      int from = Math.toIntExact(r.start() - m.start());
      out.add(java.util.Arrays.copyOfRange(data.get(i), from, from + Math.toIntExact(r.length())));
    }
    return out;
  }

  private List<byte[]> rangeRequest(String repository, Digest digest, List<ByteRange> regions) {
    return viaRealUrl(
            repository,
            digest,
            known -> new BlobRangeFetch(registry, repository, digest, regions, known),
            BlobRangeFetch.Result::finalUri)
        .data();
  }

  /**
   * Reads the body of a Range GET of a blob; may be called again from the start if the exchange is
   * repeated.
   */
  @FunctionalInterface
  public interface RangeReader<T> {
    T read(InputStream in) throws IOException;
  }

  /**
   * Streams the bytes {@code [range.start, range.end)} of a blob to {@code reader} in one Range
   * request, with the same redirect handling as {@link #fetchBlobRanges}; answers what the reader
   * returns. A network failure while reading repeats the request (and the reader) as other calls
   * do.
   */
  public <T> T readBlobRange(
      String repository, Digest digest, ByteRange range, RangeReader<T> reader) {
    return viaRealUrl(
            repository,
            digest,
            known -> new BlobRangeStream<>(registry, repository, digest, range, known, reader),
            BlobRangeStream.Result::finalUri)
        .value();
  }

  // Runs a blob read at the storage URL the blob redirected to last time, if any; re-resolves once
  // when that URL stops working, and remembers a new one.
  private <R> R viaRealUrl(
      String repository,
      Digest digest,
      java.util.function.Function<URI, RegistryEndpoint<R>> endpoint,
      java.util.function.Function<R, URI> finalUri) {
    String key = repository + "@" + digest;
    URI known = realUrls.get(key);
    R result;
    try {
      result = caller.call(endpoint.apply(known));
    } catch (RegistryException.Unauthorized | RegistryException.Denied e) {
      if (known == null) {
        throw e;
      }
      // The storage URL expired: ask the registry again for a fresh one.
      realUrls.remove(key);
      known = null;
      result = caller.call(endpoint.apply(null));
    }
    if (known == null && !EndpointCaller.sameOrigin(finalUri.apply(result), caller.base())) {
      realUrls.put(key, finalUri.apply(result));
    }
    return result;
  }

  /**
   * Stops the HTTP client's selector thread. Besides freeing it, this matters at process exit: the
   * JVM waits up to 300 ms for threads still in native code (that thread sits in epoll_wait).
   */
  @Override
  public void close() {
    caller.close();
  }

  /**
   * Whether {@code hostPort} is on this machine: 127.0.0.0/8, localhost or [::1], with or without a
   * port.
   */
  public static boolean isLoopback(String hostPort) {
    return EndpointCaller.isLoopback(hostPort);
  }

  /** The storage URL the blob redirected to, if a range read has seen one. */
  public Optional<URI> realUrl(String repository, Digest digest) {
    return Optional.ofNullable(realUrls.get(repository + "@" + digest));
  }

  /**
   * Uploads a blob unless the registry already has it (HEAD first); answers false when it was
   * already there.
   */
  public boolean pushBlob(String repository, Digest digest, byte[] data) {
    if (caller.call(new BlobHead(registry, repository, digest, true)).isPresent()) {
      return false;
    }
    uploader.upload(repository, digest, data);
    return true;
  }

  /**
   * Uploads a blob from a stream unless the registry already has it. Blobs larger than the
   * monolithic limit, or of unknown size ({@code size < 0}), go up in chunks.
   */
  public boolean pushBlob(String repository, Digest digest, long size, InputStream data) {
    if (caller.call(new BlobHead(registry, repository, digest, true)).isPresent()) {
      return false;
    }
    try {
      uploader.upload(repository, digest, size, data);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return true;
  }

  // ---- referrers ----

  /**
   * The manifests that name {@code subject} as their subject, optionally only those of {@code
   * artifactType} (null for all). Uses the referrers API, or the {@code sha256-<hex>} tag index
   * when the registry lacks it; for fallback entries without artifactType, a manifest's config
   * media type counts.
   */
  public List<Descriptor> referrers(String repository, Digest subject, String artifactType) {
    return referrers.list(repository, subject, artifactType);
  }

  private void checkRegistry(ImageRef ref) {
    if (!ref.registry().equals(registry)) {
      throw new IllegalArgumentException("reference " + ref + " is not on registry " + registry);
    }
  }

  /** The bounds on this client's calls. */
  public Timeouts timeouts() {
    return caller.timeouts();
  }

  /** Options of a {@link RegistryClient}; defaults match the reference snapshotter. */
  public static final class Builder {
    private final String registry;
    private CredentialRetriever credentials = CredentialRetriever.anonymous();
    private final Set<String> plainHttpHosts = new HashSet<>();
    private boolean plainHttp;
    private boolean skipVerify;
    private final List<Path> caCertificates = new ArrayList<>();
    private RetryPolicy retry = RetryPolicy.DEFAULT;
    private RetryPolicy blobRetry;
    private String userAgent = "soci-snapshotter-java/" + version();
    private Timeouts timeouts = Timeouts.DEFAULT;
    private int chunkSize = 8 * 1024 * 1024;
    private long monolithicLimit = 32L * 1024 * 1024;
    private boolean forceSingleRange;

    private Builder(String registry) {
      this.registry = registry;
    }

    /** Where credentials come from (default: anonymous). */
    public Builder credentials(CredentialRetriever c) {
      this.credentials = c;
      return this;
    }

    /** Use plain http for this registry ({@code --plain-http}). */
    public Builder plainHttp(boolean on) {
      this.plainHttp = on;
      return this;
    }

    /** Hosts to talk plain http to (a mirror config's {@code insecure} hosts). */
    public Builder plainHttpHosts(Set<String> hosts) {
      this.plainHttpHosts.addAll(hosts);
      return this;
    }

    /** Accept any TLS certificate ({@code --skip-verify}). */
    public Builder skipVerify(boolean on) {
      this.skipVerify = on;
      return this;
    }

    /** Also trust the CA certificates in this PEM file ({@code --tlscacert}). */
    public Builder caCertificate(Path pem) {
      this.caCertificates.add(pem);
      return this;
    }

    public Builder retryPolicy(RetryPolicy p) {
      this.retry = p;
      return this;
    }

    /** Retries of layer range reads ({@code [blob]}); the {@link #retryPolicy} when not set. */
    public Builder blobRetryPolicy(RetryPolicy p) {
      this.blobRetry = p;
      return this;
    }

    public Builder userAgent(String ua) {
      this.userAgent = ua;
      return this;
    }

    /** Every bound on the registry's time (default {@link Timeouts#DEFAULT}). */
    public Builder timeouts(Timeouts t) {
      this.timeouts = java.util.Objects.requireNonNull(t, "timeouts");
      return this;
    }

    /** Only the connect bound of {@link #timeouts}. */
    public Builder connectTimeout(Duration d) {
      Timeouts t = timeouts;
      return timeouts(
          new Timeouts(d, t.responseHeader(), t.noProgress(), t.request(), t.blobRead()));
    }

    /** Chunk size of chunked uploads (default 8 MiB). */
    public Builder chunkSize(int bytes) {
      this.chunkSize = bytes;
      return this;
    }

    /** Blobs up to this size are uploaded in one PUT (default 32 MiB). */
    public Builder monolithicLimit(long bytes) {
      this.monolithicLimit = bytes;
      return this;
    }

    /** Send one range per request ({@code force_single_range_mode}). */
    public Builder forceSingleRangeMode(boolean on) {
      this.forceSingleRange = on;
      return this;
    }

    /** Builds the client; fails only when a CA file cannot be read. */
    public RegistryClient build() {
      SSLContext ssl;
      try {
        // Explicit TLS settings are checked now; the JDK default trust store is loaded on first
        // https use.
        ssl =
            skipVerify
                ? TlsContexts.trustAll()
                : caCertificates.isEmpty()
                    ? TlsContexts.lazy(SSLContext::getDefault)
                    : TlsContexts.trusting(caCertificates);
      } catch (IOException | GeneralSecurityException e) {
        throw new IllegalArgumentException(
            "cannot set up TLS for " + registry + ": " + e.getMessage(), e);
      }
      HttpClient http =
          HttpClient.newBuilder()
              .version(HttpClient.Version.HTTP_1_1)
              .followRedirects(HttpClient.Redirect.NEVER)
              .connectTimeout(timeouts.dial())
              .sslContext(ssl)
              // given, so the client does not ask the (lazy) context for its defaults when it is
              // built;
              // unset protocols and cipher suites keep the engine's defaults
              .sslParameters(new javax.net.ssl.SSLParameters())
              .build();
      String endpointHost = new ImageRef(registry, "x", "latest", null).endpointHost();
      Authorizer authorizer =
          new Authorizer(
              registry,
              credentials,
              http,
              userAgent,
              // a token is a small body: connect, answer, and one no-progress wait for it
              timeouts.dial().plus(timeouts.responseHeader()).plus(timeouts.noProgress()));
      boolean plain =
          plainHttp || plainHttpHosts.contains(registry) || plainHttpHosts.contains(endpointHost);
      EndpointCaller caller =
          new EndpointCaller(
              registry,
              endpointHost,
              plain,
              http,
              authorizer,
              retry,
              blobRetry == null ? retry : blobRetry,
              userAgent,
              timeouts);
      return new RegistryClient(caller, chunkSize, monolithicLimit, forceSingleRange);
    }

    private static String version() {
      String v = RegistryClient.class.getPackage().getImplementationVersion();
      return v == null ? "dev" : v;
    }
  }
}
