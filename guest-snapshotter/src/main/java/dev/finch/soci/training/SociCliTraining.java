package dev.finch.soci.training;

import com.sun.net.httpserver.HttpServer;
import dev.finch.soci.cli.main.SociCli;
import dev.finch.soci.containerd.ContainerdClient;
import dev.finch.soci.containerd.Image;
import dev.finch.soci.daemon.DaemonConfig;
import dev.finch.soci.daemon.JsonLog;
import dev.finch.soci.daemon.LogLevel;
import dev.finch.soci.daemon.Wiring;
import dev.finch.soci.lazy.mount.Warmup;
import dev.finch.soci.oci.Descriptor;
import dev.finch.soci.oci.Digest;
import dev.finch.soci.oci.ImageRef;
import dev.finch.soci.oci.Json;
import dev.finch.soci.oci.Manifest;
import dev.finch.soci.oci.MediaTypes;
import dev.finch.soci.registry.RegistryClient;
import dev.finch.soci.spi.RemotePreparerFactory;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The training run for soci's ahead-of-time class cache ({@code scripts/make-launchers} runs it
 * once under {@code -XX:AOTCacheOutput}). It runs real commands in-process with nothing real to
 * talk to: help texts, a zTOC build of a small generated layer, commands against a containerd
 * socket that does not exist, and the registry and containerd client calls of an rpull against
 * stand-ins, which loads and links the gRPC, Netty, HTTP and JSON classes of a real pull. Nothing
 * here is used at run time.
 */
public final class SociCliTraining {
  private SociCliTraining() {}

  /**
   * The client calls of an rpull, against stand-ins: a loopback HTTP server for the registry and an
   * in-process soci daemon for containerd (it serves Snapshots; the other services answer
   * UNIMPLEMENTED, which still loads and links their request, stub and call paths). {@code hook}
   * runs an rpull command line against them first.
   */
  public static void pullPaths(Path tmp, PullHook hook) throws IOException {
    byte[] config =
        "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}"
            .getBytes(StandardCharsets.UTF_8);
    Digest configDigest = Digest.sha256(config);
    byte[] manifest =
        Json.bytes(
            new Manifest(
                2,
                MediaTypes.OCI_MANIFEST,
                null,
                Descriptor.of(MediaTypes.OCI_CONFIG, configDigest, config.length),
                List.of(),
                null,
                null));
    Digest manifestDigest = Digest.sha256(manifest);
    HttpServer http =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    http.createContext(
        "/",
        ex -> {
          String path = ex.getRequestURI().getPath();
          byte[] body =
              path.contains("/manifests/")
                  ? manifest
                  : path.contains("/blobs/") ? config : new byte[0];
          ex.getResponseHeaders()
              .add(
                  "Content-Type",
                  path.contains("/manifests/")
                      ? MediaTypes.OCI_MANIFEST
                      : "application/octet-stream");
          ex.getResponseHeaders()
              .add(
                  "Docker-Content-Digest",
                  (path.contains("/manifests/") ? manifestDigest : configDigest).toString());
          boolean head = ex.getRequestMethod().equals("HEAD");
          ex.sendResponseHeaders(200, head ? -1 : body.length);
          if (!head) {
            ex.getResponseBody().write(body);
          }
          ex.close();
        });
    http.start();
    Path sock = tmp.resolve("run/d.sock");
    JsonLog quiet = new JsonLog(new PrintStream(OutputStream.nullOutputStream()), LogLevel.ERROR);
    try (Wiring daemon =
            Wiring.start(
                new Wiring.Settings(
                    tmp.resolve("daemon"),
                    sock,
                    DaemonConfig.defaults(),
                    RemotePreparerFactory.none(),
                    quiet,
                    null));
        ContainerdClient c = ContainerdClient.connect(sock, "default")) {
      String image = "127.0.0.1:" + http.getAddress().getPort() + "/aot/img:v1";
      ignore(() -> hook.pull(sock, image));
      RegistryClient registry =
          RegistryClient.builder("127.0.0.1:" + http.getAddress().getPort())
              .plainHttp(true)
              .build();
      ImageRef ref = ImageRef.parse("127.0.0.1:" + http.getAddress().getPort() + "/aot/img:v1");
      ignore(() -> registry.resolve(ref));
      ignore(() -> registry.fetchManifest(ref.repository(), manifestDigest).manifest());
      ignore(
          () ->
              registry.fetchBlob(ref.repository(), configDigest, OutputStream.nullOutputStream()));
      ContainerdClient leased = c.withLease("aot");
      Descriptor target = Descriptor.of(MediaTypes.OCI_MANIFEST, manifestDigest, manifest.length);
      ignore(c::version);
      ignore(() -> c.leases().create("aot", Map.of()));
      ignore(() -> leased.content().find(configDigest));
      ignore(() -> leased.content().writeBlob("aot", configDigest, config, Map.of("a", "b")));
      ignore(() -> leased.content().updateLabels(configDigest, Map.of("a", "b")));
      ignore(() -> leased.images().createOrUpdate(new Image("aot", target, Map.of(), null, null)));
      ignore(() -> leased.images().find("aot"));
      ignore(() -> leased.snapshots("soci").stat("aot"));
      ignore(
          () ->
              leased
                  .snapshots("soci")
                  .prepare("aot-x", "", Map.of("containerd.io/snapshot.ref", "aot")));
      ignore(() -> leased.snapshots("soci").commit("aot", "aot-x", Map.of()));
      ignore(() -> leased.diff().apply(target, List.of()));
      ignore(() -> c.leases().delete("aot", false));
    } finally {
      http.stop(0);
    }
  }

  /**
   * Runs an rpull of {@code image} against the stand-ins, {@code containerd} being their socket.
   */
  @FunctionalInterface
  public interface PullHook {
    void pull(Path containerd, String image) throws Exception;
  }

  private interface Call {
    void run() throws Exception;
  }

  private static void ignore(Call call) {
    try {
      call.run();
    } catch (Exception expected) {
      // the stand-ins answer what they can; the call paths are loaded either way
    }
  }

  public static void main(String[] args) throws IOException {
    Path tmp = Files.createTempDirectory("soci-aot-");
    try {
      Path layer = tmp.resolve("layer.tar.gz");
      Files.write(layer, Warmup.sampleLayer());
      int port;
      try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        port = s.getLocalPort();
      }
      String sock = tmp.resolve("none.sock").toString();
      String root = tmp.resolve("root").toString();
      String image = "127.0.0.1:" + port + "/aot/none:v1";
      String[][] commands = {
        {"--version"},
        {"--help"},
        {"image", "rpull", "--help"},
        {"create", "--help"},
        {"push", "--help"},
        {"ztoc", "build", "--span-size", "16384", layer.toString()},
        {
          "--address",
          sock,
          "--root",
          root,
          "--timeout",
          "2s",
          "image",
          "rpull",
          "--plain-http",
          image
        },
        {"--address", sock, "--root", root, "--timeout", "2s", "create", image},
        {"--address", sock, "--root", root, "index", "list"},
        {"--address", sock, "--root", root, "ztoc", "list"},
      };
      for (String[] c : commands) {
        StringWriter sink = new StringWriter();
        SociCli.run(new PrintWriter(sink), new PrintWriter(sink), c);
      }
      pullPaths(
          tmp,
          (containerd, img) ->
              SociCli.run(
                  new PrintWriter(new StringWriter()),
                  new PrintWriter(new StringWriter()),
                  "--address",
                  containerd.toString(),
                  "--root",
                  root,
                  "image",
                  "rpull",
                  "--plain-http",
                  img));
    } finally {
      try (Stream<Path> s = Files.walk(tmp)) {
        for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }
}
