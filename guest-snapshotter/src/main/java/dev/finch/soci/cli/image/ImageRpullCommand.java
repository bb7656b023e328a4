package dev.finch.soci.cli.image;

import dev.finch.process.CommandRunner;
import dev.finch.process.ProcessCommandRunner;
import dev.finch.soci.cli.GlobalOptions;
import dev.finch.soci.cli.Progress;
import dev.finch.soci.cli.SociContext;
import dev.finch.soci.cli.SociException;
import dev.finch.soci.containerd.ContainerdClient;
import dev.finch.soci.containerd.ContainerdException;
import dev.finch.soci.oci.Descriptor;
import dev.finch.soci.oci.Digest;
import dev.finch.soci.oci.ImageRef;
import dev.finch.soci.oci.Platform;
import dev.finch.soci.registry.RegistryClient;
import dev.finch.soci.registry.RegistryException;
import dev.finch.soci.registry.auth.DockerConfigCredentials;
import dev.finch.soci.rpull.PullListener;
import dev.finch.soci.rpull.RemotePull;
import dev.finch.soci.util.Futures;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code soci image rpull IMAGE}: pulls an image into containerd through the SOCI snapshotter, so
 * that layers with a zTOC are mounted lazily instead of downloaded (see {@link RemotePull}). Prints
 * nerdctl-style progress lines on stdout.
 */
@Command(
    name = "rpull",
    description = "Pull an image lazily through the SOCI snapshotter",
    mixinStandardHelpOptions = true,
    footer = {
      "",
      "When soci-snapshotter-grpc runs as this user, the soci launcher hands the pull to it (its warm",
      "JVM starts the pull in a few milliseconds, and it fetches the index and zTOCs while containerd",
      "is busy); output and exit code are the same. The daemon is found beside",
      "$SOCI_SNAPSHOTTER_ADDRESS (default /run/soci-snapshotter-grpc/soci-snapshotter-grpc.sock);",
      "SOCI_RPULL_HANDOFF=0 pulls in this process."
    })
final class ImageRpullCommand implements Callable<Integer> {
  GlobalOptions global;

  @Parameters(
      paramLabel = "IMAGE",
      description = "image reference, e.g. docker.io/library/alpine:latest")
  String image;

  @Option(names = "--plain-http", description = "use plain HTTP to talk to the registry")
  boolean plainHttp;

  @Option(
      names = {"-k", "--skip-verify"},
      description = "skip TLS certificate verification")
  boolean skipVerify;

  @Option(
      names = {"-u", "--user"},
      paramLabel = "USER[:PASSWORD]",
      description = "registry credentials")
  String user;

  @Option(
      names = "--soci-index-digest",
      description = "use this SOCI index instead of discovering one")
  String sociIndexDigest;

  @Option(
      names = "--platform",
      description = "platform to pull, e.g. linux/arm64 (default: this host's)")
  String platform;

  @Option(
      names = "--snapshotter",
      defaultValue = "${env:CONTAINERD_SNAPSHOTTER:-soci}",
      description =
          "containerd snapshotter to unpack with (env CONTAINERD_SNAPSHOTTER; default ${DEFAULT-VALUE})")
  String snapshotter;

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    global = GlobalOptions.of(spec);
    PrintWriter out = spec.commandLine().getOut();
    ImageRef ref;
    Platform target;
    try {
      ref = ImageRef.parse(image);
      target = platform == null ? Platform.host() : Platform.parse(platform);
    } catch (IllegalArgumentException e) {
      throw new SociException(e.getMessage(), 2, e);
    }
    Digest index = sociIndexDigest == null ? null : SociContext.parseDigest(sociIndexDigest);
    RegistryClient registry =
        RegistryClient.builder(ref.registry())
            .plainHttp(plainHttp)
            .skipVerify(skipVerify)
            // the home is the JVM's, as for every soci command: a handed-off pull comes from the
            // daemon's
            // own user, so it is the client's too; DOCKER_CONFIG is the client's
            .credentials(
                DockerConfigCredentials.standardChain(
                    user,
                    global.invocation().env(),
                    java.nio.file.Path.of(System.getProperty("user.home")),
                    helpers()))
            .build();
    long start = System.nanoTime();
    try (registry;
        SociContext ctx = new SociContext(global)) {
      // containerd is connected to (and the lease taken) while the registry resolves the image
      java.util.concurrent.CompletableFuture<ContainerdClient> connecting =
          java.util.concurrent.CompletableFuture.supplyAsync(
              ctx::containerd, Thread::startVirtualThread);
      // handed off, this JVM's console is the daemon's, not the user's: no progress line then
      PrintWriter err = spec.commandLine().getErr();
      Progress progress =
          global.invocation().embedded()
              ? new Progress(err, () -> () -> 0, System::nanoTime)
              : new Progress(err);
      try {
        RemotePull.Result r;
        try (Progress.Counter layers = progress.count("pulling", 0, "layers")) {
          r =
              new RemotePull(() -> Futures.join(connecting), registry)
                  .expecting(global.invocation().prepareHint())
                  .pull(
                      ref,
                      new RemotePull.Options(snapshotter, target, index),
                      new Lines(out, layers));
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        out.printf(
            Locale.ROOT,
            "elapsed: %.1f s total: %s (%s/s)%n",
            seconds,
            mebibytes(r.bytesFetched(), "Mi"),
            mebibytes((long) (r.bytesFetched() / Math.max(seconds, 1e-3)), "MiB"));
        out.flush();
        return 0;
      } finally {
        connecting.exceptionally(e -> null).join(); // the context closes what the connect made
      }
    } catch (RegistryException
        | ContainerdException
        | IllegalArgumentException
        | IllegalStateException
        | java.io.UncheckedIOException e) {
      throw new SociException("rpull " + ref + ": " + e.getMessage(), e);
    }
  }

  // credential helpers see the environment of the command line (that of the client when handed off)
  private CommandRunner helpers() {
    ProcessCommandRunner runner = new ProcessCommandRunner();
    if (!global.invocation().embedded()) {
      return runner;
    }
    java.util.Map<String, String> env = global.invocation().env();
    return spec -> {
      java.util.Map<String, String> merged = new java.util.HashMap<>(env);
      merged.putAll(spec.env());
      return runner.run(spec.withEnv(merged));
    };
  }

  private static String mebibytes(long bytes, String unit) {
    return String.format(Locale.ROOT, "%.1f %s", bytes / (1024.0 * 1024.0), unit);
  }

  /** Prints one line per step, like nerdctl's final progress table, and counts the layers. */
  private record Lines(PrintWriter out, Progress.Counter layers) implements PullListener {
    @Override
    public void resolved(String ref, Descriptor top) {
      println(ref + ": resolved");
    }

    @Override
    public void stored(String kind, Descriptor blob) {
      println(kind + "-" + blob.digest().algorithm() + ":" + blob.digest().hex() + ": done");
    }

    @Override
    public void layer(Descriptor layer, LayerStatus status) {
      String word = status == LayerStatus.APPLIED ? "done" : "exists";
      println("layer-" + layer.digest().algorithm() + ":" + layer.digest().hex() + ": " + word);
      layers.advance(1);
    }

    private void println(String s) {
      layers.println(out, s);
    }
  }
}
