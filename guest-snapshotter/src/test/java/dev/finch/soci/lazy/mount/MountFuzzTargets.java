package dev.finch.soci.lazy.mount;

import static dev.finch.testkit.fuzz.FuzzInputs.read;

import dev.finch.soci.fs.InvalidLayerException;
import dev.finch.soci.fs.LayerTree;
import dev.finch.soci.oci.Digest;
import dev.finch.soci.oci.MediaTypes.Compression;
import dev.finch.soci.ztoc.Vectors;
import dev.finch.soci.ztoc.Ztoc;
import dev.finch.soci.ztoc.ZtocBuilder;
import dev.finch.soci.ztoc.ZtocCodec;
import dev.finch.soci.ztoc.ZtocFuzzTargets;
import dev.finch.soci.ztoc.compression.Zinfo;
import dev.finch.soci.ztoc.compression.ZtocException;
import dev.finch.testkit.fuzz.FuzzTarget;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;

/**
 * Fuzz target for a zTOC as the daemon takes it from a registry: decoded from its FlatBuffers
 * bytes, its span map parsed and used, the remote layer opened and the layer's file tree built.
 */
public final class MountFuzzTargets {
  private static final Path REFERENCE = Path.of("src/test/resources/reference041");
  private static final Digest LAYER = Digest.sha256(new byte[] {4, 2});

  private MountFuzzTargets() {}

  public static List<FuzzTarget> all() {
    return List.of(ztoc());
  }

  /** Never called: a RemoteLayer only reads its bounds from its client when it is made. */
  private static final dev.finch.soci.registry.RegistryClient CLIENT =
      dev.finch.soci.registry.RegistryClient.builder("127.0.0.1:1").plainHttp(true).build();

  static FuzzTarget ztoc() {
    return FuzzTarget.builder(
            "ztoc",
            in -> {
              Ztoc z = ZtocCodec.decode(ByteBuffer.wrap(in));
              Zinfo zinfo = z.compressionInfo().zinfo();
              int spans = zinfo.maxSpanId() + 1;
              if (z.compressionInfo().spanDigests().size() != spans) {
                throw new AssertionError(
                    spans + " spans, " + z.compressionInfo().spanDigests().size() + " digests");
              }
              ZtocFuzzTargets.useSpans(
                  zinfo, new byte[0], z.compressedArchiveSize(), z.uncompressedArchiveSize());
              new RemoteLayer(CLIENT, "team/app", LAYER, z, null, null);
              LayerTree.build(ZtocLayers.entries(z));
            })
        .seed(read(REFERENCE.resolve("ztoc-layer1-span64k.bin")))
        .seed(Vectors.bytes("layer.tar.ztoc.span65536.bin"))
        .seed(built(Compression.UNCOMPRESSED))
        .seed(built(Compression.GZIP))
        .typed(ZtocException.class, InvalidLayerException.class)
        .dictionary("sha256:", "0.9", "reg", "dir", "symlink", "hardlink", "char", "../")
        .maxInputSize(1 << 20)
        .build();
  }

  private static byte[] built(Compression c) {
    byte[] tar = ZtocFuzzTargets.sampleTar();
    try {
      byte[] blob = c == Compression.GZIP ? gzip(tar) : tar;
      return new ZtocBuilder(4096).build(new ByteArrayInputStream(blob), c, null).encoded();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] gzip(byte[] data) throws IOException {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    try (java.util.zip.GZIPOutputStream gz = new java.util.zip.GZIPOutputStream(out)) {
      gz.write(data);
    }
    return out.toByteArray();
  }
}
