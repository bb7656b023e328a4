package dev.finch.soci.util;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The durable-write helper's visible guarantees: whole content or old content, no temp leftovers.
 */
class DurableFilesTest {
  @TempDir Path dir;

  private List<String> names() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void writeCreatesTheTargetAndLeavesNoTemporaryFile() throws IOException {
    Path target = dir.resolve("state.json");
    DurableFiles.write(target, "{\"a\":1}".getBytes(StandardCharsets.UTF_8));
    assertThat(target).hasContent("{\"a\":1}");
    assertThat(names()).containsExactly("state.json");
  }

  @Test
  void writeReplacesLongerContentWithoutLeavingItsTail() throws IOException {
    Path target = dir.resolve("state");
    Files.writeString(target, "a much longer old content");
    DurableFiles.write(target, out -> out.write("new".getBytes(StandardCharsets.UTF_8)));
    assertThat(target).hasContent("new");
    assertThat(names()).containsExactly("state");
  }

  @Test
  void aStaleTemporaryFileFromACrashIsTruncatedNotReused() throws IOException {
    Path target = dir.resolve("state");
    Files.writeString(
        dir.resolve("state.tmp"), "garbage left by a killed writer, longer than the new content");
    DurableFiles.write(target, "ok".getBytes(StandardCharsets.UTF_8));
    assertThat(target).hasContent("ok");
    assertThat(names()).containsExactly("state");
  }

  @Test
  void aFailingBodyKeepsTheOldTargetAndRemovesTheTemporaryFile() throws IOException {
    Path target = dir.resolve("state");
    Files.writeString(target, "old");
    assertThatThrownBy(
            () ->
                DurableFiles.write(
                    target,
                    out -> {
                      out.write("half of the new".getBytes(StandardCharsets.UTF_8));
                      throw new IOException("disk full");
                    }))
        .isInstanceOf(IOException.class)
        .hasMessage("disk full");
    assertThatThrownBy(
            () ->
                DurableFiles.write(
                    target,
                    out -> {
                      out.write('x');
                      throw new IllegalStateException("encoder bug");
                    }))
        .isInstanceOf(IllegalStateException.class);
    assertThat(target).hasContent("old");
    assertThat(names()).containsExactly("state");
  }

  @Test
  void aFailingBodyOnAMissingTargetCreatesNothing() {
    Path target = dir.resolve("never");
    assertThatThrownBy(
            () ->
                DurableFiles.write(
                    target,
                    out -> {
                      throw new IOException("no");
                    }))
        .isInstanceOf(IOException.class);
    assertThat(dir).isEmptyDirectory();
  }

  @Test
  void writeIntoAMissingDirectoryFailsAndCreatesNothing() {
    assertThatThrownBy(() -> DurableFiles.write(dir.resolve("no/such/file"), new byte[1]))
        .isInstanceOf(NoSuchFileException.class);
    assertThat(dir).isEmptyDirectory();
  }

  @Test
  void publishMovesAWrittenFileOverTheTarget() throws IOException {
    Path target = dir.resolve("blob");
    Path tmp = dir.resolve(".tmp-123");
    Files.writeString(target, "old");
    Files.writeString(tmp, "new blob");
    DurableFiles.publish(tmp, target);
    assertThat(target).hasContent("new blob");
    assertThat(tmp).doesNotExist();
    assertThatThrownBy(() -> DurableFiles.publish(tmp, target))
        .isInstanceOf(NoSuchFileException.class);
    assertThat(target).hasContent("new blob");
  }

  @Test
  void syncDirectoryNeedsAnExistingDirectory() throws IOException {
    DurableFiles.syncDirectory(dir);
    assertThatThrownBy(() -> DurableFiles.syncDirectory(dir.resolve("gone")))
        .isInstanceOf(NoSuchFileException.class);
  }
}
