package dev.finch.soci.cli;

import dev.finch.soci.containerd.ResolvedImage;
import dev.finch.soci.index.SociIndex;
import dev.finch.soci.oci.Descriptor;
import dev.finch.soci.oci.Digest;
import dev.finch.soci.oci.ImageRef;
import dev.finch.soci.oci.MediaTypes;
import dev.finch.soci.registry.RegistryClient;
import dev.finch.soci.store.ContentStore;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;

/**
 * Uploads SOCI index artifacts to an image's repository, in the reference {@code soci push}'s
 * words: blobs as soon as they are known ({@link #blob}; each digest once, at most {@code
 * --max-concurrent-uploads} at a time), then an index manifest once its blobs are there ({@link
 * #index}). {@code soci push} hands it whole indexes; {@code soci create --push} hands it each zTOC
 * as it is built, so that the uploads go on beside the build.
 */
final class IndexUploads implements AutoCloseable {
  private final ContentStore store;
  private final RegistryClient client;
  private final String repo;
  private final PushFlags flags;
  private final PrintWriter out;
  private final PrintWriter err;
  private final boolean quiet;
  private final Semaphore slots;
  private final ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
  private final Map<Digest, Future<?>> started = new LinkedHashMap<>();
  private Progress.Counter bar;
  private int doneBeforeBar;

  private IndexUploads(
      ContentStore store,
      RegistryClient client,
      String repo,
      PushFlags flags,
      PrintWriter out,
      PrintWriter err,
      boolean quiet) {
    this.store = store;
    this.client = client;
    this.repo = repo;
    this.flags = flags;
    this.out = out;
    this.err = err;
    this.quiet = quiet;
    this.slots = new Semaphore(flags.maxConcurrentUploads);
  }

  /** Uploads to the repository {@code resolved}'s image was pulled from (or tagged for). */
  static IndexUploads to(
      SociContext ctx,
      ResolvedImage resolved,
      RegistryFlags registry,
      PushFlags flags,
      PrintWriter out,
      PrintWriter err,
      boolean quiet)
      throws java.io.IOException {
    ImageRef ref;
    try {
      ref = ImageRef.parse(resolved.image().name());
    } catch (IllegalArgumentException e) {
      throw new SociException(e.getMessage());
    }
    RegistryClient client =
        registry.client(
            ref.registry().equals(ImageRef.DOCKER_HUB) ? ref.endpointHost() : ref.registry());
    return new IndexUploads(ctx.store(), client, ref.repository(), flags, out, err, quiet);
  }

  /**
   * Whether an index for {@code manifest} is to be pushed, as {@code --existing-index} says when
   * the registry already lists one among the manifest's referrers (warn: yes, with a warning; skip:
   * no; allow: yes, without asking).
   */
  boolean wanted(Digest manifest) {
    if (flags.existingIndex.equals("allow")) {
      return true;
    }
    if (!quiet) {
      out.println("checking if a soci index already exists in remote repository...");
      out.flush();
    }
    List<Descriptor> existing = client.referrers(repo, manifest, MediaTypes.SOCI_INDEX_V1);
    if (existing.isEmpty()) {
      return true;
    }
    String found = existing.getFirst().digest().toString();
    if (flags.existingIndex.equals("skip")) {
      out.println(
          "soci index found in remote repository with digest: "
              + found
              + ": skipping pushing artifacts for image manifest: "
              + manifest);
      out.flush();
      return false;
    }
    err.println(
        "[WARN] soci index found in remote repository with digest: "
            + found
            + ": pushing index anyway");
    err.flush();
    return true;
  }

  /** Starts uploading blob {@code d} from the content store, unless it was started already. */
  synchronized void blob(Descriptor d) {
    started.computeIfAbsent(d.digest(), k -> pool.submit(() -> upload(d)));
  }

  private Void upload(Descriptor d) throws Exception {
    slots.acquire();
    try {
      byte[] data =
          d.digest().equals(MediaTypes.EMPTY_JSON_DIGEST)
              ? SociIndex.EMPTY_CONFIG
              : store.readAll(d.digest());
      boolean uploaded = client.pushBlob(repo, d.digest(), data);
      report(
          (uploaded ? "successfully pushed" : "skipped") + " artifact with digest: " + d.digest());
      return null;
    } finally {
      slots.release();
    }
  }

  /**
   * Says so (unless quiet), uploads what {@code index} lists that was not started yet, waits for
   * all of it, then pushes the index manifest (and, on a registry without the referrers API, its
   * subject's fallback tag).
   */
  void index(SociIndex index, Progress progress) throws Exception {
    if (!quiet) {
      out.println("pushing soci index with digest: " + index.digest());
      out.flush();
    }
    List<Descriptor> blobs = new ArrayList<>(index.manifest().layers());
    blobs.add(index.manifest().config());
    try (Progress.Counter c = progress.count("pushing", blobs.size() + 1, "artifacts")) {
      List<Future<?>> waits = new ArrayList<>();
      synchronized (this) {
        bar = c;
        c.advance(doneBeforeBar);
        doneBeforeBar = 0;
        for (Descriptor d : blobs) {
          blob(d);
          waits.add(started.get(d.digest()));
        }
      }
      for (Future<?> f : waits) {
        try {
          f.get();
        } catch (ExecutionException e) {
          throw e.getCause() instanceof Exception ex ? ex : e;
        }
      }
      client.pushManifest(repo, index.digest().toString(), MediaTypes.OCI_MANIFEST, index.bytes());
      report("successfully pushed artifact with digest: " + index.digest());
    } finally {
      synchronized (this) {
        bar = null;
      }
    }
  }

  // one artifact more is done: its line (unless -q), above the progress line once there is one
  private synchronized void report(String line) {
    if (bar == null) {
      if (!quiet) {
        out.println(line);
        out.flush();
      }
      doneBeforeBar++;
      return;
    }
    if (!quiet) {
      bar.println(out, line);
    }
    bar.advance(1);
  }

  @Override
  public void close() {
    pool.shutdownNow();
    client.close();
  }
}
