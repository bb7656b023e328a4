package dev.finch.soci.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.finch.soci.index.ReadRecord;
import dev.finch.soci.oci.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * {@code --prefetch-file}, {@code --prefetch-files-json} and {@code --record} of {@code soci
 * create}.
 */
final class PrefetchFlags {
  @Option(
      names = "--prefetch-file",
      paramLabel = "PATH",
      description =
          "file inside the image whose spans are prefetched when its layer is mounted (repeatable),"
              + " e.g. --prefetch-file /app/config.json; searched from the top layer down among"
              + " layers with a zTOC")
  List<String> files = new ArrayList<>();

  @Option(
      names = "--prefetch-files-json",
      paramLabel = "FILE",
      description =
          "JSON file holding an array of such paths, e.g. [\"/app/config.json\", \"/usr/bin/app\"]")
  Path json;

  @Option(
      names = "--record",
      paramLabel = "PATH",
      description =
          "a recording of what a start read (repeatable): a file the snapshotter daemon wrote, or a"
              + " directory of them (e.g. <daemon root>/soci/record); each layer read in it gets a"
              + " prefetch artifact whose span priorities are the time order of the reads. The"
              + " image and its digest are not changed")
  List<Path> records = new ArrayList<>();

  /** The paths of both flags, trimmed, blanks dropped, flag paths first (as the reference). */
  List<String> paths() {
    List<String> out = new ArrayList<>(trimmed(files));
    if (json != null) {
      out.addAll(trimmed(readJson(json)));
    }
    return out;
  }

  /**
   * The recordings of every {@code --record} path, directories expanded ({@code *.json}, sorted).
   */
  List<ReadRecord> recordings() {
    List<ReadRecord> out = new ArrayList<>();
    for (Path p : records) {
      List<Path> files;
      if (Files.isDirectory(p)) {
        try (var list = Files.list(p)) {
          files = list.filter(f -> f.getFileName().toString().endsWith(".json")).sorted().toList();
        } catch (IOException e) {
          throw new SociException("--record " + p + ": cannot list it: " + e.getMessage());
        }
        if (files.isEmpty()) {
          throw new SociException(
              "--record "
                  + p
                  + ": no recordings (*.json) in it; run the image once through the snapshotter"
                  + " daemon first");
        }
      } else {
        files = List.of(p);
      }
      for (Path f : files) {
        out.add(readRecord(f));
      }
    }
    return out;
  }

  private static ReadRecord readRecord(Path file) {
    try {
      return ReadRecord.parse(Files.readAllBytes(file));
    } catch (NoSuchFileException e) {
      throw new SociException("--record " + file + ": no such file or directory");
    } catch (IOException e) {
      throw new SociException("--record " + file + ": " + SociException.firstLine(e.getMessage()));
    }
  }

  static List<String> readJson(Path file) {
    byte[] data;
    try {
      data = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new SociException("--prefetch-files-json " + file + ": no such file");
    } catch (IOException e) {
      throw new SociException(
          "--prefetch-files-json " + file + ": cannot read it: " + e.getMessage());
    }
    JsonNode root;
    try {
      root = Json.MAPPER.readTree(data);
    } catch (IOException e) {
      throw new SociException(
          "--prefetch-files-json "
              + file
              + " is not valid JSON: "
              + SociException.firstLine(e.getMessage()));
    }
    if (root == null || !root.isArray()) {
      throw new SociException(
          "--prefetch-files-json "
              + file
              + " must hold a JSON array of paths, e.g. [\"/usr/bin/app\"]");
    }
    List<String> paths = new ArrayList<>();
    for (int i = 0; i < root.size(); i++) {
      JsonNode p = root.get(i);
      if (!p.isTextual()) {
        throw new SociException(
            "--prefetch-files-json " + file + ": element " + i + " is not a string: " + p);
      }
      paths.add(p.asText());
    }
    return paths;
  }

  private static List<String> trimmed(List<String> paths) {
    return paths.stream().map(String::strip).filter(p -> !p.isEmpty()).toList();
  }
}
