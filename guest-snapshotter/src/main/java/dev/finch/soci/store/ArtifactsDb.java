package dev.finch.soci.store;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.finch.soci.oci.Digest;
import dev.finch.soci.util.DurableFiles;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * The artifacts database under the SOCI root ({@code artifacts.json}): which zTOCs and indexes
 * exist, for which layers and images. Every change runs under an exclusive file lock (so concurrent
 * CLI runs never lose each other's entries) and replaces the file through {@link DurableFiles} (so
 * a crash leaves the file whole, holding every change whose call returned).
 */
public final class ArtifactsDb {
  private static final ObjectMapper MAPPER =
      new ObjectMapper()
          .registerModule(new JavaTimeModule())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .enable(SerializationFeature.INDENT_OUTPUT);
  private static final TypeReference<List<ArtifactEntry>> LIST = new TypeReference<>() {};

  private final Path file;
  private final Path lock;

  public ArtifactsDb(Path root) {
    this.file = root.resolve("artifacts.json");
    this.lock = root.resolve("artifacts.lock");
  }

  public Path file() {
    return file;
  }

  public List<ArtifactEntry> list() throws IOException {
    return read();
  }

  public List<ArtifactEntry> find(Predicate<ArtifactEntry> p) throws IOException {
    return read().stream().filter(p).toList();
  }

  public Optional<ArtifactEntry> get(Digest digest) throws IOException {
    return read().stream().filter(e -> e.digest().equals(digest)).findFirst();
  }

  /** Adds or replaces (same digest) entries. */
  public void put(List<ArtifactEntry> entries) throws IOException {
    update(
        all -> {
          List<ArtifactEntry> out = new ArrayList<>(all);
          for (ArtifactEntry e : entries) {
            out.removeIf(x -> x.digest().equals(e.digest()) && x.type() == e.type());
            out.add(e);
          }
          return out;
        });
  }

  /** Removes entries matching {@code p}; returns how many were removed. */
  public int remove(Predicate<ArtifactEntry> p) throws IOException {
    int[] removed = {0};
    update(
        all -> {
          List<ArtifactEntry> out = new ArrayList<>(all);
          int before = out.size();
          out.removeIf(p);
          removed[0] = before - out.size();
          return out;
        });
    return removed[0];
  }

  /** Replaces the whole database (rebuild-db). */
  public void replaceAll(List<ArtifactEntry> entries) throws IOException {
    update(all -> entries);
  }

  private List<ArtifactEntry> read() throws IOException {
    try {
      byte[] data = Files.readAllBytes(file);
      if (data.length == 0) {
        return List.of();
      }
      return MAPPER.readValue(data, LIST);
    } catch (NoSuchFileException e) {
      return List.of();
    } catch (com.fasterxml.jackson.core.JacksonException e) {
      throw new IOException(
          "artifacts database "
              + file
              + " is unreadable ("
              + e.getOriginalMessage()
              + "); run `soci rebuild-db` to recreate it");
    }
  }

  private void update(UnaryOperator<List<ArtifactEntry>> change) throws IOException {
    Files.createDirectories(file.getParent());
    try (FileChannel ch =
            FileChannel.open(lock, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock ignored = ch.lock()) {
      List<ArtifactEntry> next = new ArrayList<>(change.apply(read()));
      next.sort(
          Comparator.comparing(
              ArtifactEntry::createdAt, Comparator.nullsFirst(Comparator.naturalOrder())));
      // The lock serializes writers, which is what DurableFiles' fixed temporary name needs.
      DurableFiles.write(file, MAPPER.writeValueAsBytes(next));
    }
  }
}
