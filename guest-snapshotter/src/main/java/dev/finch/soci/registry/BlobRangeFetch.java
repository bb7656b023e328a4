package dev.finch.soci.registry;

import dev.finch.soci.oci.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * {@code GET} of one or more byte ranges of a blob in one request ({@code Range: bytes=a-b,c-d}),
 * following redirects and optionally going straight to a known storage URL. Accepts 206 with one
 * part (its Content-Range must equal the single range asked for, or cover all of them), 206 {@code
 * multipart/byteranges}, or 200 with the whole blob. Answers the bytes of each requested region in
 * order.
 */
record BlobRangeFetch(
    String registry, String repository, Digest digest, List<ByteRange> regions, URI realUrl)
    implements BlobRangeEndpoint<BlobRangeFetch.Result> {

  /** Where the bytes finally came from, and one byte array per requested region. */
  record Result(URI finalUri, List<byte[]> data) {}

  private static final int MULTIPART_OVERHEAD = 64 * 1024;

  BlobRangeFetch {
    regions = List.copyOf(regions);
    if (regions.isEmpty()) {
      throw new IllegalArgumentException("no ranges");
    }
  }

  @Override
  public String rangeHeader() {
    return "bytes=" + regions.stream().map(ByteRange::httpSpec).collect(Collectors.joining(","));
  }

  @Override
  public Result handle(HttpResponse<InputStream> response) throws IOException {
    int status = response.statusCode();
    String action = actionDescription();
    long total = regions.stream().mapToLong(ByteRange::length).sum();
    if (status == 200) {
      long maxEnd = regions.stream().mapToLong(ByteRange::end).max().orElseThrow();
      byte[] whole;
      try (InputStream in = response.body()) {
        whole = in.readNBytes(Math.toIntExact(maxEnd));
      }
      if (whole.length < maxEnd) {
        throw new RegistryException.UnexpectedResponse(
            action, 200, "blob has " + whole.length + " bytes, range ends at " + maxEnd);
      }
      return new Result(
          response.uri(),
          slice(List.of(new MultipartByteranges.Part(new ByteRange(0, maxEnd), whole))));
    }
    if (status != 206) {
      throw Responses.failure(action, registry, response);
    }
    String contentType = Responses.header(response, "Content-Type");
    String boundary =
        contentType != null
                && contentType.toLowerCase(java.util.Locale.ROOT).startsWith("multipart/")
            ? MultipartByteranges.boundary(contentType)
            : null;
    if (boundary != null) {
      byte[] body =
          Responses.readAll(
              response,
              Math.toIntExact(total + (long) MULTIPART_OVERHEAD * regions.size()),
              action);
      List<MultipartByteranges.Part> parts;
      try {
        parts = MultipartByteranges.parse(body, boundary);
      } catch (MultipartByteranges.MalformedBodyException e) {
        throw new RegistryException.UnexpectedResponse(
            action, 206, "bad multipart/byteranges body: " + e.getMessage());
      }
      return new Result(response.uri(), slice(parts));
    }
    String header = Responses.header(response, "Content-Range");
    ByteRange got = ContentRange.parse(header);
    boolean ok =
        got != null && (regions.size() == 1 ? got.equals(regions.getFirst()) : covers(got));
    if (!ok) {
      Responses.discard(response);
      throw new RangeMismatchException(action, expectedText(), header == null ? "(none)" : header);
    }
    // The part covers every region; only its bytes up to the last region's end are read, so a
    // registry that answers with more than was asked (up to the whole blob) costs no memory.
    ByteRange needed =
        new ByteRange(
            got.start(),
            Math.min(got.end(), regions.stream().mapToLong(ByteRange::end).max().orElseThrow()));
    byte[] body;
    try (InputStream in = response.body()) {
      body = in.readNBytes(Math.toIntExact(needed.length()));
    }
    if (body.length != needed.length()) {
      throw new RegistryException.UnexpectedResponse(
          action, 206, "expected " + needed.length() + " bytes, got " + body.length);
    }
    return new Result(response.uri(), slice(List.of(new MultipartByteranges.Part(needed, body))));
  }

  private boolean covers(ByteRange got) {
    return regions.stream().allMatch(got::contains);
  }

  private String expectedText() {
    return regions.stream().map(r -> "bytes " + r.httpSpec()).collect(Collectors.joining(", "));
  }

  // Each requested region must lie inside one received part.
  private List<byte[]> slice(List<MultipartByteranges.Part> parts) {
    List<byte[]> out = new ArrayList<>(regions.size());
    for (ByteRange r : regions) {
      MultipartByteranges.Part p =
          parts.stream().filter(x -> x.range().contains(r)).findFirst().orElse(null);
      if (p == null) {
        throw new RangeMismatchException(
            actionDescription(),
            "bytes " + r.httpSpec(),
            parts.stream()
                .map(x -> "bytes " + x.range().httpSpec())
                .collect(Collectors.joining(", ")));
      }
      int from = Math.toIntExact(r.start() - p.range().start());
      out.add(Arrays.copyOfRange(p.data(), from, from + Math.toIntExact(r.length())));
    }
    return out;
  }
}
