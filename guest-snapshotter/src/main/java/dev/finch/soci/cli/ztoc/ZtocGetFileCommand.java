package dev.finch.soci.cli.ztoc;

import dev.finch.soci.cli.GlobalOptions;
import dev.finch.soci.cli.SociContext;
import dev.finch.soci.cli.SociException;
import dev.finch.soci.oci.Digest;
import dev.finch.soci.store.ArtifactEntry;
import dev.finch.soci.store.ArtifactType;
import dev.finch.soci.store.ContainerdContentStore;
import dev.finch.soci.store.ContentStore;
import dev.finch.soci.ztoc.CompressedSource;
import dev.finch.soci.ztoc.Ztoc;
import dev.finch.soci.ztoc.ZtocCodec;
import dev.finch.soci.ztoc.ZtocFileReader;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code soci ztoc get-file ZTOC FILE}: extracts one file of a layer through its zTOC, reading only
 * the compressed spans that hold it from the layer blob in containerd's content store and checking
 * each span's digest before inflating it.
 */
@Command(
    name = "get-file",
    description = "Extract a file from a layer through its zTOC",
    mixinStandardHelpOptions = true)
final class ZtocGetFileCommand implements Callable<Integer> {
  GlobalOptions global;

  @Parameters(index = "0", paramLabel = "ZTOC", description = "digest of the zTOC")
  String ztocDigest;

  @Parameters(
      index = "1..*",
      arity = "1..*",
      paramLabel = "FILE",
      description =
          "path of the file in the layer; with several files, -o names a directory that receives them")
  List<String> files;

  @Option(
      names = {"-o", "--output"},
      description = "write the file here instead of stdout (a directory for several files)")
  Path output;

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    global = GlobalOptions.of(spec);
    Digest zd = SociContext.parseDigest(ztocDigest);
    try (SociContext ctx = new SociContext(global)) {
      ArtifactEntry entry =
          ctx.db()
              .get(zd)
              .filter(e -> e.type() == ArtifactType.SOCI_LAYER)
              .orElseThrow(
                  () ->
                      new SociException(
                          "ztoc "
                              + zd
                              + " not found in the artifacts database (run `soci rebuild-db`?)"));
      byte[] bytes = ctx.readAll(zd, "couldn't retrieve artifact for " + zd + ", not found");
      Ztoc ztoc = ZtocCodec.decode(bytes);
      ContentStore layers = new ContainerdContentStore(ctx.containerd().content());
      Digest layer = entry.originalDigest();
      if (!layers.exists(layer)) {
        throw new SociException(
            "layer "
                + layer
                + " of ztoc "
                + zd
                + " is not in containerd's content store (pull the image first)");
      }
      CompressedSource source = new StoreSource(layers, layer, ztoc.compressedArchiveSize());
      ZtocFileReader reader = new ZtocFileReader(ztoc, source);
      for (String file : files) {
        if (reader.find(file).isEmpty()) {
          throw new SociException("file " + file + " does not exist in ztoc " + zd);
        }
      }
      if (files.size() > 1) {
        if (output == null) {
          throw new SociException("several files need -o DIR to write them into");
        }
        for (String file : files) {
          Path target =
              output.resolve(dev.finch.soci.ztoc.TocValidation.cleanPath(file)).normalize();
          if (!target.startsWith(output.normalize())) {
            throw new SociException("file " + file + " would be written outside " + output);
          }
          Files.createDirectories(target.getParent());
          writeFile(reader, file, target);
        }
      } else if (output != null) {
        writeFile(reader, files.getFirst(), output);
      } else {
        OutputStream os = new BufferedOutputStream(System.out);
        reader.copyFile(files.getFirst(), os);
        os.flush();
      }
    }
    return 0;
  }

  private static void writeFile(ZtocFileReader reader, String file, Path target)
      throws IOException {
    Path tmp = Files.createTempFile(target.toAbsolutePath().getParent(), ".get-file-", "");
    try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(tmp))) {
      reader.copyFile(file, os);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(tmp);
      throw e;
    }
    Files.move(tmp, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
  }

  /** Compressed bytes of a layer blob in a content store, read by offset. */
  record StoreSource(ContentStore store, Digest layer, long size) implements CompressedSource {
    @Override
    public void readFully(long offset, byte[] dst, int off, int len) throws IOException {
      store.readAt(layer, offset, dst, off, len);
    }
  }
}
