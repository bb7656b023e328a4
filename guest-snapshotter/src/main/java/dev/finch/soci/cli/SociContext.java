package dev.finch.soci.cli;

import dev.finch.soci.containerd.ContainerdClient;
import dev.finch.soci.containerd.Lease;
import dev.finch.soci.index.IndexCreator;
import dev.finch.soci.index.ZtocMakers;
import dev.finch.soci.oci.Digest;
import dev.finch.soci.store.ArtifactsDb;
import dev.finch.soci.store.ContainerdContentStore;
import dev.finch.soci.store.ContentStore;
import dev.finch.soci.store.LocalContentStore;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/**
 * What a {@code soci} command works with, built lazily from the global flags: the containerd
 * connection (with a lease for anything it writes), the content store chosen by {@code
 * --content-store}, and the artifacts database under {@code --root}.
 */
public final class SociContext implements AutoCloseable {
  private static final Duration LEASE_TTL = Duration.ofHours(1);

  private final GlobalOptions global;
  private ContainerdClient base;
  private ContainerdClient containerd;
  private String leaseId;
  private ContentStore store;

  public SociContext(GlobalOptions global) {
    this.global = global;
  }

  /** The containerd client; writes through it are held by a lease until {@link #close()}. */
  public ContainerdClient containerd() {
    if (containerd == null) {
      base = ContainerdClient.connect(Path.of(global.address()), global.namespace());
      base.version().requireSupported(base.socket());
      leaseId = "soci-cli-" + UUID.randomUUID();
      base.leases().create(leaseId, Lease.expiringAt(Instant.now().plus(LEASE_TTL)));
      containerd = base.withLease(leaseId);
    }
    return containerd;
  }

  public ContentStore store() {
    if (store == null) {
      store =
          switch (global.contentStore()) {
            case "soci" -> new LocalContentStore(global.root().resolve("content"));
            default -> new ContainerdContentStore(containerd().content());
          };
    }
    return store;
  }

  /**
   * The content of {@code digest} from the content store; a missing blob is a {@link SociException}
   * with {@code notFound} as its message.
   */
  public byte[] readAll(Digest digest, String notFound) throws java.io.IOException {
    try {
      return store().readAll(digest);
    } catch (java.nio.file.NoSuchFileException e) {
      throw new SociException(notFound, e);
    }
  }

  /**
   * An index builder over this run's content store and artifacts database that reads each layer
   * from containerd, its progress shown by {@code progress} ({@code create}, {@code convert}).
   */
  public IndexCreator indexCreator(Progress progress) {
    dev.finch.soci.containerd.ImageReader reader = containerd().imageReader();
    return new IndexCreator(
        store(),
        db(),
        ZtocMakers.standard(),
        layer ->
            progress.track(
                "indexing " + layer.digest().shortHex(), layer.size(), reader.openLayer(layer)),
        location());
  }

  public ArtifactsDb db() {
    return new ArtifactsDb(global.root());
  }

  public String location() {
    return global.contentStore();
  }

  public GlobalOptions global() {
    return global;
  }

  public static Digest parseDigest(String text) {
    try {
      return Digest.parse(text.contains(":") ? text : "sha256:" + text);
    } catch (IllegalArgumentException e) {
      throw new SociException(
          "invalid digest \"" + text + "\": expected sha256:<64 hex characters>");
    }
  }

  /**
   * Deletes the lease and closes the connections. Inside the daemon (a handed-off rpull) that runs
   * after the command has answered, so the client need not wait for it: the lease only protects
   * content that the image now references, and it expires by itself if the deletion never happens.
   */
  @Override
  public void close() {
    if (global.invocation.embedded()) {
      Thread.ofVirtual().name("soci-cli-close").start(this::closeNow);
    } else {
      closeNow();
    }
  }

  private void closeNow() {
    if (containerd != null) {
      try {
        containerd.leases().delete(leaseId, false);
      } catch (RuntimeException e) {
        // The lease expires by itself after LEASE_TTL; nothing is lost by leaving it.
      }
      containerd.close();
    }
    if (base != null) {
      base.close();
    }
  }
}
