package dev.finch.soci.cli.ztoc;

import dev.finch.soci.cli.Progress;
import dev.finch.soci.cli.SociException;
import dev.finch.soci.cli.SpanSizeOption;
import dev.finch.soci.index.ZtocMakers;
import dev.finch.soci.oci.MediaTypes;
import dev.finch.soci.ztoc.ZtocBuilder;
import java.io.BufferedInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code soci ztoc build FILE}: builds the zTOC of a layer file on disk, without containerd (not in
 * the reference CLI; used for benchmarks and for indexing layers outside any image store).
 */
@Command(
    name = "build",
    description =
        "Build the zTOC of a local layer file (gzip or uncompressed tar) and print its digest",
    mixinStandardHelpOptions = true)
final class ZtocBuildCommand implements Callable<Integer> {
  @Mixin SpanSizeOption span;

  @Option(
      names = "--compression",
      description = "gzip (default) or uncompressed",
      defaultValue = "gzip")
  String compression;

  @Option(
      names = {"-o", "--output"},
      description = "write the serialized zTOC here")
  Path output;

  @Parameters(paramLabel = "FILE", description = "the layer blob")
  Path file;

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    MediaTypes.Compression c =
        switch (compression) {
          case "gzip" -> MediaTypes.Compression.GZIP;
          case "uncompressed", "tar" -> MediaTypes.Compression.UNCOMPRESSED;
          default ->
              throw new SociException(
                  "invalid --compression \"" + compression + "\": expected gzip or uncompressed");
        };
    long spanSize = span.value();
    if (spanSize <= 0) {
      throw new SociException("--span-size must be greater than 0, got " + spanSize);
    }
    long size;
    try {
      size = Files.size(file);
    } catch (NoSuchFileException e) {
      throw new SociException("no such file: " + file);
    }
    long start = System.nanoTime();
    ZtocBuilder.Result r;
    PrintWriter err = spec.commandLine().getErr();
    try (InputStream in =
        new Progress(err)
            .track(
                "indexing " + file.getFileName(),
                size,
                new BufferedInputStream(Files.newInputStream(file), 1 << 20))) {
      r = new ZtocBuilder(spanSize).build(in, c, null);
    }
    double secs = (System.nanoTime() - start) / 1e9;
    if (output != null) {
      Files.write(output, r.encoded());
    }
    for (String w : ZtocMakers.nameWarnings(r.ztoc().toc(), file.toString())) {
      err.println("soci: warning: " + w);
    }
    PrintWriter out = spec.commandLine().getOut();
    out.println(r.digest());
    err.printf(
        Locale.ROOT,
        "ztoc %s: %d bytes, %d files, %d spans; layer %d bytes in %.2f s (%.1f MB/s compressed input)%n",
        r.digest().shortHex(),
        r.encoded().length,
        r.ztoc().toc().size(),
        r.ztoc().compressionInfo().maxSpanId() + 1,
        size,
        secs,
        size / secs / 1e6);
    out.flush();
    err.flush();
    return 0;
  }
}
