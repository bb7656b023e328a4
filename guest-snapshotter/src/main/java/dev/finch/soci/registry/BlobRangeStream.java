package dev.finch.soci.registry;

import dev.finch.soci.oci.Digest;
import dev.finch.soci.util.LimitedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpResponse;

/**
 * {@code GET} of one byte range of a blob whose body is handed to a reader as it arrives, so a
 * caller can verify, decompress and store a long range without holding it in memory. Accepts 206
 * whose Content-Range is exactly the range asked for, or 200 with the whole blob (the bytes before
 * the range are skipped). The reader sees exactly the range's bytes. Follows redirects like {@link
 * BlobRangeFetch}; a reader that fails with an IOException makes the caller repeat the exchange, so
 * it must be able to run again from the start.
 */
record BlobRangeStream<T>(
    String registry,
    String repository,
    Digest digest,
    ByteRange range,
    URI realUrl,
    RegistryClient.RangeReader<T> reader)
    implements BlobRangeEndpoint<BlobRangeStream.Result<T>> {

  /** Where the bytes finally came from, and what the reader made of them. */
  record Result<T>(URI finalUri, T value) {}

  @Override
  public String rangeHeader() {
    return "bytes=" + range.httpSpec();
  }

  @Override
  public Result<T> handle(HttpResponse<InputStream> response) throws IOException {
    int status = response.statusCode();
    if (status != 200 && status != 206) {
      throw Responses.failure(actionDescription(), registry, response);
    }
    try (InputStream body = response.body()) {
      if (status == 206) {
        String header = Responses.header(response, "Content-Range");
        ByteRange got = ContentRange.parse(header);
        if (got == null || !got.equals(range)) {
          throw new RangeMismatchException(
              actionDescription(), "bytes " + range.httpSpec(), header == null ? "(none)" : header);
        }
      } else {
        body.skipNBytes(range.start());
      }
      InputStream in = new LimitedInputStream(body, range.length());
      T value = reader.read(in);
      return new Result<>(response.uri(), value);
    }
  }
}
