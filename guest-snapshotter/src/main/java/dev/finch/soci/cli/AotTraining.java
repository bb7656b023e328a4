package dev.finch.soci.cli;

import dev.finch.soci.remote.Warmup;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The training run for soci's ahead-of-time class cache ({@code scripts/make-launchers} runs it once
 * under {@code -XX:AOTCacheOutput}). It runs real commands in-process with nothing to talk to: help
 * texts, a zTOC build of a small generated layer, and an rpull against a containerd socket and a
 * registry port that do not exist, which still loads and links the gRPC, Netty, HTTP and JSON
 * classes of a real pull. Nothing here is used at run time.
 */
public final class AotTraining {
  private AotTraining() {}

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
          {"--version"}, {"--help"}, {"image", "rpull", "--help"}, {"create", "--help"}, {"push", "--help"},
          {"ztoc", "build", "--span-size", "16384", layer.toString()},
          {"--address", sock, "--root", root, "--timeout", "2s", "image", "rpull", "--plain-http", image},
          {"--address", sock, "--root", root, "--timeout", "2s", "create", image},
          {"--address", sock, "--root", root, "index", "list"},
          {"--address", sock, "--root", root, "ztoc", "list"},
      };
      for (String[] c : commands) {
        StringWriter sink = new StringWriter();
        SociCli.run(new PrintWriter(sink), new PrintWriter(sink), c);
      }
    } finally {
      try (Stream<Path> s = Files.walk(tmp)) {
        for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }
}
