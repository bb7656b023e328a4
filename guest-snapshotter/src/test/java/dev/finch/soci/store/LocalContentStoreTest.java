package dev.finch.soci.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.finch.soci.oci.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The OCI-layout content store: blobs land whole under their digest and nothing else stays. */
class LocalContentStoreTest {
  @TempDir Path root;

  private long filesUnder(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).count();
    }
  }

  @Test
  void writtenBlobIsReadableUnderItsDigestAndNoTemporaryFileRemains() throws IOException {
    LocalContentStore store = new LocalContentStore(root);
    byte[] data = "zTOC bytes".getBytes(StandardCharsets.UTF_8);
    Digest d = Digest.sha256(data);
    store.write(d, data, Map.of());
    assertThat(store.exists(d)).isTrue();
    assertThat(store.size(d)).isEqualTo(data.length);
    try (InputStream in = store.open(d)) {
      assertThat(in.readAllBytes()).isEqualTo(data);
    }
    byte[] part = new byte[5];
    store.readAt(d, 5, part, 0, 5);
    assertThat(new String(part, StandardCharsets.UTF_8)).isEqualTo("bytes");
    assertThat(store.list()).containsExactly(d);
    assertThat(root.resolve("oci-layout")).hasContent("{\"imageLayoutVersion\":\"1.0.0\"}");
    // oci-layout and the blob, nothing else (no .tmp-* leftovers).
    assertThat(filesUnder(root)).isEqualTo(2);
    store.write(d, data, Map.of());
    assertThat(filesUnder(root)).isEqualTo(2);
  }

  @Test
  void aDigestMismatchWritesNothing() {
    LocalContentStore store = new LocalContentStore(root);
    Digest wrong = Digest.sha256(new byte[] {1});
    assertThatThrownBy(() -> store.write(wrong, new byte[] {2}, Map.of()))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("content digest mismatch");
    assertThat(store.exists(wrong)).isFalse();
    assertThat(root).isEmptyDirectory();
  }

  @Test
  void aTruncatedBlobIsReplacedByTheWholeOne() throws IOException {
    LocalContentStore store = new LocalContentStore(root);
    byte[] data = new byte[4096];
    data[100] = 7;
    Digest d = Digest.sha256(data);
    Files.createDirectories(store.blobPath(d).getParent());
    Files.write(store.blobPath(d), new byte[10]);
    store.write(d, data, Map.of());
    assertThat(Files.readAllBytes(store.blobPath(d))).isEqualTo(data);
  }
}
