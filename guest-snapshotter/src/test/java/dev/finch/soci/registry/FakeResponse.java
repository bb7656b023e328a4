package dev.finch.soci.registry;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLSession;

/**
 * A registry answer made from bytes, for fuzzing the endpoints' {@code handle}: {@code STATUS\n},
 * then {@code Name: value\n} header lines, a blank line, and the body. Every input makes a
 * response: a missing or odd status is 200, lines that are not headers are dropped.
 */
record FakeResponse(int statusCode, HttpHeaders headers, byte[] content, HttpRequest request)
    implements HttpResponse<InputStream> {
  static final URI URI_ = URI.create("https://r.example:5000/v2/team/app/manifests/v1");

  static FakeResponse of(byte[] input) {
    int split = -1;
    for (int i = 0; i + 1 < input.length; i++) {
      if (input[i] == '\n' && input[i + 1] == '\n') {
        split = i;
        break;
      }
    }
    String head =
        new String(input, 0, split < 0 ? input.length : split, StandardCharsets.ISO_8859_1);
    byte[] body =
        split < 0 ? new byte[0] : java.util.Arrays.copyOfRange(input, split + 2, input.length);
    String[] lines = head.split("\n", -1);
    int status = 200;
    String first = lines[0].strip();
    if (first.matches("[1-5][0-9][0-9]")) {
      status = Integer.parseInt(first);
    }
    Map<String, List<String>> headers = new LinkedHashMap<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      if (colon <= 0 || !lines[i].substring(0, colon).matches("[A-Za-z0-9-]+")) {
        continue;
      }
      // names are case-insensitive: one list per name, as a real client builds it
      headers
          .computeIfAbsent(
              lines[i].substring(0, colon).toLowerCase(java.util.Locale.ROOT),
              k -> new ArrayList<>())
          .add(lines[i].substring(colon + 1).strip());
    }
    return new FakeResponse(
        status,
        HttpHeaders.of(headers, (k, v) -> true),
        body,
        HttpRequest.newBuilder(URI_).GET().build());
  }

  /** The bytes of an answer in the form {@link #of} reads. */
  static byte[] bytes(int status, Map<String, String> headers, byte[] body) {
    StringBuilder b = new StringBuilder().append(status).append('\n');
    headers.forEach((k, v) -> b.append(k).append(": ").append(v).append('\n'));
    byte[] head = b.append('\n').toString().getBytes(StandardCharsets.ISO_8859_1);
    byte[] out = java.util.Arrays.copyOf(head, head.length + body.length);
    System.arraycopy(body, 0, out, head.length, body.length);
    return out;
  }

  @Override
  public InputStream body() {
    return new ByteArrayInputStream(content);
  }

  @Override
  public Optional<HttpResponse<InputStream>> previousResponse() {
    return Optional.empty();
  }

  @Override
  public Optional<SSLSession> sslSession() {
    return Optional.empty();
  }

  @Override
  public URI uri() {
    return URI_;
  }

  @Override
  public HttpClient.Version version() {
    return HttpClient.Version.HTTP_1_1;
  }
}
