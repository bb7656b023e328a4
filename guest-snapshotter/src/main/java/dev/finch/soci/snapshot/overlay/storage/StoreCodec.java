package dev.finch.soci.snapshot.overlay.storage;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.util.List;

/**
 * JSON encoding of the store's two on-disk documents. JSON (not a binary format) so an operator can
 * read {@code metadata.snap} and the log payloads when debugging a broken node.
 */
final class StoreCodec {
  /** One committed write transaction: the final state of every row it touched. */
  record LogRecord(long seq, long nextId, List<StoredSnapshot> put, List<String> delete) {}

  /** A full copy of the store as of transaction {@code seq}. */
  record CheckpointFile(int format, long seq, long nextId, List<StoredSnapshot> snapshots) {}

  static final int FORMAT = 1;

  private static final ObjectMapper MAPPER =
      new ObjectMapper()
          .registerModule(new JavaTimeModule())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private StoreCodec() {}

  static byte[] encode(Object value) throws IOException {
    return MAPPER.writeValueAsBytes(value);
  }

  static <T> T decode(byte[] bytes, Class<T> type) throws IOException {
    return MAPPER.readValue(bytes, type);
  }
}
