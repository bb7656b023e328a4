package dev.finch.soci.registry;

import dev.finch.soci.oci.Json;
import dev.finch.soci.registry.json.ErrorResponse;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import javax.net.ssl.SSLSession;

/**
 * Small helpers shared by the endpoint classes for reading answers and turning them into errors.
 */
final class Responses {
  private static final int ERROR_BODY_LIMIT = 8 * 1024;

  private Responses() {}

  /** Closes the body without reading it all. */
  static void discard(HttpResponse<InputStream> response) {
    try {
      response.body().close();
    } catch (IOException e) {
      // Nothing to do: the connection is dropped instead of reused.
    }
  }

  /**
   * Reads up to {@code limit} bytes of the body, for deciding what an error answer means, and
   * answers them with {@code response} made whole again: its body is those bytes, then the rest. A
   * body that breaks off gives what was read; the endpoint meets the failure when it reads on.
   */
  static Peeked peek(HttpResponse<InputStream> response, int limit) {
    byte[] head;
    try {
      head = response.body().readNBytes(limit);
    } catch (IOException e) {
      head = new byte[0];
    }
    InputStream body = new SequenceInputStream(new ByteArrayInputStream(head), response.body());
    return new Peeked(head, new Replayed(response, body));
  }

  /** The first bytes of a body, and the response that still yields all of it. */
  record Peeked(byte[] head, HttpResponse<InputStream> response) {}

  private record Replayed(HttpResponse<InputStream> r, InputStream body)
      implements HttpResponse<InputStream> {
    @Override
    public int statusCode() {
      return r.statusCode();
    }

    @Override
    public HttpRequest request() {
      return r.request();
    }

    @Override
    public Optional<HttpResponse<InputStream>> previousResponse() {
      return r.previousResponse();
    }

    @Override
    public HttpHeaders headers() {
      return r.headers();
    }

    @Override
    public Optional<SSLSession> sslSession() {
      return r.sslSession();
    }

    @Override
    public URI uri() {
      return r.uri();
    }

    @Override
    public HttpClient.Version version() {
      return r.version();
    }
  }

  /** Reads the whole body, refusing more than {@code limit} bytes. */
  static byte[] readAll(HttpResponse<InputStream> response, int limit, String action)
      throws IOException {
    try (InputStream in = response.body()) {
      byte[] data = in.readNBytes(limit + 1);
      if (data.length > limit) {
        throw new RegistryException.UnexpectedResponse(
            action, 0, "response larger than " + limit + " bytes");
      }
      return data;
    }
  }

  /** The error for a failing status, with the registry's error codes when it sent any. */
  static RegistryException failure(
      String action, String registry, HttpResponse<InputStream> response) {
    int status = response.statusCode();
    String detail = "";
    if (!"HEAD".equals(response.request().method())) {
      try (InputStream in = response.body()) {
        byte[] body = in.readNBytes(ERROR_BODY_LIMIT);
        detail = errorDetail(body);
      } catch (IOException e) {
        detail = "";
      }
    } else {
      discard(response);
    }
    return switch (status) {
      case 404 -> new RegistryException.NotFound(action);
      case 401 -> new RegistryException.Unauthorized(action, registry, false, detail);
      case 403 -> new RegistryException.Denied(action, detail);
      default -> new RegistryException.UnexpectedResponse(action, status, detail);
    };
  }

  /** {@code CODE: message} from a distribution error body, else the first line of the text. */
  static String errorDetail(byte[] body) {
    if (body.length == 0) {
      return "";
    }
    try {
      ErrorResponse e = Json.read(body, ErrorResponse.class);
      String s = e == null ? "" : e.summary();
      if (!s.isEmpty()) {
        return shown(s);
      }
    } catch (IOException | RuntimeException e) {
      // Not the distribution error format; fall through to the text.
    }
    String text = new String(body, StandardCharsets.UTF_8).strip();
    int nl = text.indexOf('\n');
    return shown(nl < 0 ? text : text.substring(0, nl)).strip();
  }

  /**
   * Text from a registry as one line of an error message: control characters (CR, LF, ESC, ...)
   * become {@code ?}, and it is cut after {@value #SHOWN_MAX} characters.
   */
  static String shown(String untrusted) {
    if (untrusted == null) {
      return "(none)";
    }
    String s = Json.oneLine(untrusted);
    return s.length() > SHOWN_MAX ? s.substring(0, SHOWN_MAX) + "..." : s;
  }

  private static final int SHOWN_MAX = 200;

  /**
   * A JSON answer as {@code type}; one that does not parse is an {@link
   * RegistryException.UnexpectedResponse} of {@code action} naming the problem in one line.
   */
  static <T> T json(byte[] body, Class<T> type, String action) {
    T value;
    try {
      value = Json.read(body, type);
    } catch (IOException e) {
      throw new RegistryException.UnexpectedResponse(
          action, 0, "unreadable JSON: " + shown(Json.problem(e)));
    }
    if (value == null) {
      throw new RegistryException.UnexpectedResponse(action, 0, "JSON null instead of an object");
    }
    return value;
  }

  static String header(HttpResponse<?> response, String name) {
    return response.headers().firstValue(name).orElse(null);
  }

  static long contentLength(HttpResponse<?> response) {
    return response.headers().firstValueAsLong("Content-Length").orElse(-1);
  }

  /**
   * The media type without parameters, e.g. {@code application/json} for {@code application/json;
   * charset=utf-8}.
   */
  static String mediaType(HttpResponse<?> response) {
    String ct = header(response, "Content-Type");
    if (ct == null) {
      return null;
    }
    int semi = ct.indexOf(';');
    return (semi < 0 ? ct : ct.substring(0, semi)).strip();
  }
}
