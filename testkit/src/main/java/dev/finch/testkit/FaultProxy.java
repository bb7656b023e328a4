package dev.finch.testkit;

import dev.finch.testkit.HttpWire.ChunkedOut;
import dev.finch.testkit.HttpWire.Head;
import dev.finch.testkit.HttpWire.Header;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * An HTTP/1.1 proxy on {@code 127.0.0.1:<free port>} in front of a plain-http registry (usually a
 * {@link RegistryFixture}) that injects faults. Clients talk to {@link #hostPort()} as if it were
 * the registry: each request goes to the upstream on a fresh connection, headers (Host, Range,
 * Authorization, ...) unchanged, and the answer comes back on the client's keep-alive connection,
 * unless a {@link Rule} says otherwise.
 *
 * <p>A rule matches a request by method (optional) and a regex over the whole path (without the
 * query), e.g. {@code proxy.on("GET", "/v2/.+/blobs/sha256:.+").times(2).fault(Fault.drop(4096))};
 * rules are tried in the order they were added and the first that matches takes the request. A rule
 * applies to its next {@code times} requests (or all of them until removed); {@link Rule#remove()}
 * and {@link #clear()} work from any thread at any time and end the stalls and slow bodies of that
 * rule in flight. Faults that count body bytes count the bytes of the response body as the client
 * receives it (after chunked decoding).
 *
 * <p>Counters for assertions: requests in total and per path, requests whose fault took effect,
 * body bytes relayed, and every {@link Exchange} with its arrival time. {@link #close()} stops
 * accepting, closes every socket, ends stalls and joins every thread.
 */
public final class FaultProxy implements AutoCloseable {
  private static final int BUFFER = 64 * 1024;
  private static final Duration UPSTREAM_CONNECT_TIMEOUT = Duration.ofSeconds(5);
  // Generous: the upstream is a local registry; this only keeps a wedged one from hanging a test.
  private static final Duration UPSTREAM_READ_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration JOIN_TIMEOUT = Duration.ofSeconds(5);
  // How long a truncated answer waits for the client to close its side after our FIN.
  private static final Duration LINGER_AFTER_TRUNCATE = Duration.ofSeconds(1);
  // Hop-by-hop fields (RFC 9110 7.6.1) and the framing fields the proxy sets itself.
  private static final Set<String> NOT_FORWARDED =
      Set.of(
          "connection",
          "keep-alive",
          "proxy-connection",
          "te",
          "trailer",
          "transfer-encoding",
          "upgrade",
          "http2-settings",
          "expect",
          "content-length");
  private static final DateTimeFormatter HTTP_DATE =
      DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US)
          .withZone(ZoneOffset.UTC);

  private final String upstreamHost;
  private final int upstreamPort;
  private final ServerSocket server;
  private final Thread acceptor;
  private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final List<Rule> rules = new ArrayList<>(); // guarded by lock
  private final List<Exchange> exchanges = new ArrayList<>(); // guarded by lock
  private final AtomicLong accepted = new AtomicLong();
  private final AtomicLong bodyBytes = new AtomicLong();
  private final AtomicLong faulted = new AtomicLong();
  private volatile boolean closed;

  private FaultProxy(String upstreamHost, int upstreamPort, int port) throws IOException {
    this.upstreamHost = upstreamHost;
    this.upstreamPort = upstreamPort;
    server = new ServerSocket();
    server.setReuseAddress(true);
    server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 128);
    acceptor = Thread.ofVirtual().name("fault-proxy-accept-" + port()).start(this::acceptLoop);
  }

  /**
   * A proxy on a free port in front of {@code upstreamHostPort} ({@code host:port}, plain http).
   */
  public static FaultProxy start(String upstreamHostPort) throws IOException {
    return start(upstreamHostPort, 0);
  }

  /**
   * As {@link #start(String)} on a given port (0: a free one), e.g. to bring a proxy back on the
   * port a daemon was configured with.
   */
  public static FaultProxy start(String upstreamHostPort, int port) throws IOException {
    int colon = upstreamHostPort.lastIndexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException("upstream must be host:port: " + upstreamHostPort);
    }
    return new FaultProxy(
        upstreamHostPort.substring(0, colon),
        Integer.parseInt(upstreamHostPort.substring(colon + 1)),
        port);
  }

  /** A proxy in front of a started plain-http registry fixture. */
  public static FaultProxy inFrontOf(RegistryFixture registry) throws IOException {
    if (!registry.url().startsWith("http://")) {
      throw new IllegalArgumentException("FaultProxy speaks plain http only: " + registry.url());
    }
    return start(registry.hostPort());
  }

  /** {@code 127.0.0.1:<port>}: what clients use in place of the registry's host:port. */
  public String hostPort() {
    return "127.0.0.1:" + port();
  }

  /** {@code http://127.0.0.1:<port>}. */
  public String url() {
    return "http://" + hostPort();
  }

  public int port() {
    return server.getLocalPort();
  }

  /** Starts a rule for requests of any method whose path matches {@code pathRegex}. */
  public RuleBuilder on(String pathRegex) {
    return new RuleBuilder(null, pathRegex);
  }

  /** Starts a rule for {@code method} (e.g. {@code GET}; null for any) requests on a path. */
  public RuleBuilder on(String method, String pathRegex) {
    return new RuleBuilder(method, pathRegex);
  }

  /** Removes every rule; their stalls and slow bodies in flight end. */
  public void clear() {
    lock.lock();
    try {
      for (Rule r : rules) {
        r.removed = true;
      }
      rules.clear();
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** The rules that still apply, in matching order. */
  public List<Rule> rules() {
    lock.lock();
    try {
      return List.copyOf(rules);
    } finally {
      lock.unlock();
    }
  }

  /** Every request so far, in arrival order. */
  public List<Exchange> exchanges() {
    lock.lock();
    try {
      return List.copyOf(exchanges);
    } finally {
      lock.unlock();
    }
  }

  /** Requests seen. */
  public long requests() {
    return exchanges().size();
  }

  /** Requests seen whose path matches {@code pathRegex}. */
  public long requests(String pathRegex) {
    return exchanges().stream().filter(path(pathRegex)).count();
  }

  /** Requests whose fault took effect (a drop or flip past the end of a body did not). */
  public long faulted() {
    return faulted.get();
  }

  /** Response body bytes sent to clients (after faults). */
  public long bodyBytes() {
    return bodyBytes.get();
  }

  /** As {@link #bodyBytes()}, for requests whose path matches {@code pathRegex}. */
  public long bodyBytes(String pathRegex) {
    return exchanges().stream().filter(path(pathRegex)).mapToLong(Exchange::bodyBytes).sum();
  }

  /**
   * When each request of {@code method} (null: any) on a path matching {@code pathRegex} arrived,
   * in order: for checking the spacing of retries.
   */
  public List<Instant> arrivals(String method, String pathRegex) {
    return exchanges().stream()
        .filter(path(pathRegex))
        .filter(e -> method == null || e.method().equals(method))
        .map(Exchange::arrived)
        .toList();
  }

  /** Client connections accepted so far (keep-alive reuse keeps this below {@link #requests()}). */
  public long connections() {
    return accepted.get();
  }

  private static Predicate<Exchange> path(String pathRegex) {
    Pattern p = Pattern.compile(pathRegex);
    return e -> p.matcher(e.path()).matches();
  }

  /**
   * Stops accepting, closes every client and upstream socket, ends stalls and joins the threads; an
   * IllegalStateException if a connection thread did not end within 5 s.
   */
  @Override
  public void close() {
    lock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    try {
      server.close();
    } catch (IOException e) {
      // Closing a listening socket only fails if it is already closed.
    }
    List<Thread> threads = new ArrayList<>();
    threads.add(acceptor);
    join(acceptor, JOIN_TIMEOUT);
    // The acceptor has ended: no connection is added after this copy.
    for (Connection c : List.copyOf(connections)) {
      c.abort();
      threads.add(c.thread);
    }
    long deadline = System.nanoTime() + JOIN_TIMEOUT.toNanos();
    List<String> alive = new ArrayList<>();
    for (Thread t : threads) {
      join(t, Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
      if (t.isAlive()) {
        alive.add(t.getName());
      }
    }
    if (!alive.isEmpty()) {
      throw new IllegalStateException("FaultProxy threads still running after close: " + alive);
    }
  }

  private static void join(Thread t, Duration timeout) {
    try {
      t.join(timeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void acceptLoop() {
    long n = 0;
    while (!closed) {
      Socket s;
      try {
        s = server.accept();
      } catch (IOException e) {
        return; // closed
      }
      Connection c = new Connection(s, accepted.incrementAndGet());
      c.thread =
          Thread.ofVirtual().name("fault-proxy-" + port() + "-" + n++).unstarted(() -> serve(c));
      connections.add(c);
      c.thread.start();
    }
  }

  private void serve(Connection c) {
    try {
      c.client.setTcpNoDelay(true);
      InputStream in = new BufferedInputStream(c.client.getInputStream(), BUFFER);
      OutputStream out = new BufferedOutputStream(c.client.getOutputStream(), BUFFER);
      while (!closed) {
        Head head = HttpWire.readHead(in);
        if (head == null || !exchange(c, head, in, out)) {
          break;
        }
      }
    } catch (IOException e) {
      // The client or the upstream went away, a fault ended the connection, or the proxy closed.
    } finally {
      c.abort();
      connections.remove(c);
    }
  }

  /** One request and its answer; false when the client connection must close afterwards. */
  private boolean exchange(Connection c, Head request, InputStream in, OutputStream out)
      throws IOException {
    String[] line = request.startLine().split(" ", 3);
    if (line.length != 3 || !line[2].startsWith("HTTP/1.")) {
      canned(out, 400, List.of(), "bad request line", false, false);
      return false;
    }
    String method = line[0];
    String target = originForm(line[1]);
    int q = target.indexOf('?');
    String path = q < 0 ? target : target.substring(0, q);
    boolean http10 = line[2].equals("HTTP/1.0");
    boolean keepAlive =
        http10
            ? request.hasToken("Connection", "keep-alive")
            : !request.hasToken("Connection", "close");
    boolean head = method.equals("HEAD");
    Rule rule = pick(method, path);
    Exchange ex = record(c.number, method, target, path, rule);
    Fault fault = rule == null ? new Fault.Pass() : rule.fault;

    InputStream requestBody;
    try {
      requestBody = requestBody(request, in);
    } catch (IOException e) {
      canned(out, 400, List.of(), e.getMessage(), head, false);
      return false;
    }
    if (requestBody != null && request.hasToken("Expect", "100-continue")) {
      out.write(
          ("HTTP/1.1 100 Continue" + HttpWire.CRLF + HttpWire.CRLF)
              .getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
    }

    switch (fault) {
      case Fault.Status s -> {
        drain(requestBody);
        List<Header> extra = new ArrayList<>();
        String retryAfter = s.retryAfterHeader(Instant.now());
        if (retryAfter != null) {
          extra.add(new Header("Retry-After", retryAfter));
        }
        ex.status = s.code();
        fired(rule, ex);
        canned(out, s.code(), extra, "injected by FaultProxy", head, keepAlive);
        return keepAlive;
      }
      case Fault.Drop d when d.afterBytes() == Fault.BEFORE_HEADERS -> {
        fired(rule, ex);
        return false;
      }
      case Fault.Reset r when r.afterBytes() == Fault.BEFORE_HEADERS -> {
        fired(rule, ex);
        c.reset();
        return false;
      }
      case Fault.Stall s when s.afterBytes() == Fault.BEFORE_HEADERS -> {
        fired(rule, ex);
        pause(rule, s.duration());
      }
      default -> {
        // The rest act on the response body.
      }
    }
    return forward(c, request, method, target, http10, keepAlive, requestBody, out, rule, ex);
  }

  private boolean forward(
      Connection c,
      Head request,
      String method,
      String target,
      boolean http10,
      boolean keepAlive,
      InputStream requestBody,
      OutputStream out,
      Rule rule,
      Exchange ex)
      throws IOException {
    boolean head = method.equals("HEAD");
    try (Socket up = new Socket()) {
      c.upstream = up;
      try {
        up.connect(
            new InetSocketAddress(upstreamHost, upstreamPort),
            (int) UPSTREAM_CONNECT_TIMEOUT.toMillis());
      } catch (IOException e) {
        drain(requestBody);
        ex.status = 502;
        canned(out, 502, List.of(), "upstream: " + e.getMessage(), head, keepAlive);
        return keepAlive;
      }
      up.setSoTimeout((int) UPSTREAM_READ_TIMEOUT.toMillis());
      up.setTcpNoDelay(true);
      OutputStream upOut = new BufferedOutputStream(up.getOutputStream(), BUFFER);
      List<Header> headers = forwardable(request);
      if (request.get("Host") == null) {
        headers.add(new Header("Host", upstreamHost + ":" + upstreamPort));
      }
      if (requestBody != null) {
        headers.add(
            request.chunked()
                ? new Header("Transfer-Encoding", "chunked")
                : new Header("Content-Length", Long.toString(request.contentLength())));
      }
      headers.add(new Header("Connection", "close"));
      HttpWire.writeHead(upOut, method + " " + target + " HTTP/1.1", headers);
      if (requestBody != null) {
        if (request.chunked()) {
          ChunkedOut chunks = new ChunkedOut(upOut);
          requestBody.transferTo(chunks);
          chunks.finish();
        } else {
          requestBody.transferTo(upOut);
        }
      }
      upOut.flush();

      InputStream upIn = new BufferedInputStream(up.getInputStream(), BUFFER);
      Head response;
      int status;
      try {
        do {
          response = HttpWire.readHead(upIn);
          if (response == null) {
            throw new EOFException("upstream closed without answering");
          }
          status = statusOf(response);
        } while (status >= 100 && status < 200);
      } catch (IOException e) {
        if (closed) {
          throw e;
        }
        ex.status = 502;
        canned(out, 502, List.of(), "upstream: " + e.getMessage(), head, false);
        return false;
      }
      ex.status = status;
      boolean noBody = head || status == 204 || status == 304;
      InputStream body;
      Framing framing;
      if (noBody) {
        body = InputStream.nullInputStream();
        framing = Framing.FIXED;
      } else if (response.chunked()) {
        body = HttpWire.chunked(upIn);
        // An HTTP/1.0 client does not know chunked coding: its body ends when the connection does.
        framing = http10 ? Framing.UNTIL_CLOSE : Framing.CHUNKED;
      } else if (response.contentLength() >= 0) {
        body = HttpWire.fixed(upIn, response.contentLength());
        framing = Framing.FIXED;
      } else {
        body = upIn;
        framing = Framing.UNTIL_CLOSE;
      }
      boolean keep = keepAlive && framing != Framing.UNTIL_CLOSE;
      List<Header> back = forwardable(response);
      if (!response.chunked() && response.get("Content-Length") != null) {
        back.add(new Header("Content-Length", response.get("Content-Length")));
      }
      if (framing == Framing.CHUNKED) {
        back.add(new Header("Transfer-Encoding", "chunked"));
      }
      if (!keep) {
        back.add(new Header("Connection", "close"));
      }
      String[] statusLine = response.startLine().split(" ", 3);
      String reason = statusLine.length == 3 ? statusLine[2] : "";
      HttpWire.writeHead(out, "HTTP/1.1 " + status + " " + reason, back);
      return relay(c, rule, ex, body, out, framing) && keep;
    } finally {
      c.upstream = null;
    }
  }

  private enum Framing {
    FIXED,
    CHUNKED,
    UNTIL_CLOSE
  }

  /**
   * Copies the body to the client, applying the rule's body fault; false when the fault closed the
   * connection.
   */
  private boolean relay(
      Connection c, Rule rule, Exchange ex, InputStream body, OutputStream out, Framing framing)
      throws IOException {
    Fault fault = rule == null ? new Fault.Pass() : rule.fault;
    ChunkedOut chunks = framing == Framing.CHUNKED ? new ChunkedOut(out) : null;
    OutputStream sink = chunks != null ? chunks : out;
    long trigger =
        switch (fault) {
          case Fault.Drop d -> d.afterBytes();
          case Fault.Truncate t -> t.keepBytes();
          case Fault.Reset r -> r.afterBytes();
          case Fault.Stall s -> s.afterBytes();
          default -> Long.MAX_VALUE;
        };
    long rate = fault instanceof Fault.Slow s ? s.bytesPerSecond() : 0;
    Fault.Flip flip = fault instanceof Fault.Flip f ? f : null;
    byte[] buf = new byte[BUFFER];
    long pos = 0;
    long started = System.nanoTime();
    while (true) {
      if (pos == trigger) {
        out.flush();
        fired(rule, ex);
        switch (fault) {
          case Fault.Stall s -> {
            pause(rule, s.duration());
            trigger = Long.MAX_VALUE;
          }
          case Fault.Truncate t -> {
            c.halfClose(LINGER_AFTER_TRUNCATE);
            return false;
          }
          case Fault.Reset r -> {
            c.reset();
            return false;
          }
          default -> {
            return false; // Drop
          }
        }
      }
      int max = buf.length;
      if (trigger > pos && trigger != Long.MAX_VALUE) {
        max = (int) Math.min(max, trigger - pos);
      }
      if (rate > 0) {
        // Small writes keep a slow body smooth: about 20 per second.
        max = (int) Math.min(max, Math.max(1, rate / 20));
      }
      int n = body.read(buf, 0, max);
      if (n < 0) {
        break;
      }
      if (flip != null && flip.apply(buf, n, pos)) {
        fired(rule, ex);
      }
      sink.write(buf, 0, n);
      pos += n;
      ex.bodyBytes.addAndGet(n);
      bodyBytes.addAndGet(n);
      if (rate > 0) {
        out.flush();
        fired(rule, ex);
        pause(rule, Duration.ofNanos(started + pos * 1_000_000_000L / rate - System.nanoTime()));
        if (rule.removed) {
          rate = 0; // switched off: the rest at full speed
        }
      }
    }
    if (chunks != null) {
      chunks.finish();
    }
    out.flush();
    return framing != Framing.UNTIL_CLOSE;
  }

  /**
   * Waits {@code duration} (null: without end) or until the rule is removed; an
   * InterruptedIOException when the proxy closes meanwhile.
   */
  private void pause(Rule rule, Duration duration) throws IOException {
    long deadline =
        duration == null ? Long.MAX_VALUE : System.nanoTime() + Math.max(0, duration.toNanos());
    lock.lock();
    try {
      while (!closed && !rule.removed) {
        long left = deadline == Long.MAX_VALUE ? Long.MAX_VALUE : deadline - System.nanoTime();
        if (left <= 0) {
          break;
        }
        changed.awaitNanos(left);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted");
    } finally {
      lock.unlock();
    }
    if (closed) {
      throw new InterruptedIOException("proxy closed");
    }
  }

  private Rule pick(String method, String path) {
    lock.lock();
    try {
      for (int i = 0; i < rules.size(); i++) {
        Rule r = rules.get(i);
        if ((r.method == null || r.method.equals(method)) && r.path.matcher(path).matches()) {
          r.hits.incrementAndGet();
          if (r.remaining > 0 && --r.remaining == 0) {
            rules.remove(i); // used up; not "removed": its stalls in flight go on
          }
          return r;
        }
      }
      return null;
    } finally {
      lock.unlock();
    }
  }

  private Exchange record(long connection, String method, String target, String path, Rule rule) {
    Exchange ex = new Exchange(Instant.now(), connection, method, target, path, rule);
    lock.lock();
    try {
      exchanges.add(ex);
    } finally {
      lock.unlock();
    }
    return ex;
  }

  private void fired(Rule rule, Exchange ex) {
    if (!ex.faulted) {
      ex.faulted = true;
      rule.fired.incrementAndGet();
      faulted.incrementAndGet();
    }
  }

  private static InputStream requestBody(Head request, InputStream in) throws IOException {
    if (request.chunked()) {
      return HttpWire.chunked(in);
    }
    long length = request.contentLength();
    return length > 0 ? HttpWire.fixed(in, length) : null;
  }

  private static void drain(InputStream body) throws IOException {
    if (body != null) {
      body.transferTo(OutputStream.nullOutputStream());
    }
  }

  /** The header fields to pass on: all but hop-by-hop ones and those the Connection field names. */
  private static List<Header> forwardable(Head head) {
    List<String> named = new ArrayList<>();
    for (Header h : head.headers()) {
      if (h.is("Connection")) {
        for (String token : h.value().split(",", -1)) {
          named.add(token.strip().toLowerCase(Locale.ROOT));
        }
      }
    }
    List<Header> out = new ArrayList<>();
    for (Header h : head.headers()) {
      String name = h.name().toLowerCase(Locale.ROOT);
      if (!NOT_FORWARDED.contains(name) && !named.contains(name)) {
        out.add(h);
      }
    }
    return out;
  }

  /** {@code /path?query} of an absolute-form target ({@code http://host/path}); else as is. */
  private static String originForm(String target) {
    if (target.startsWith("http://") || target.startsWith("https://")) {
      int slash = target.indexOf('/', target.indexOf("//") + 2);
      return slash < 0 ? "/" : target.substring(slash);
    }
    return target;
  }

  private static int statusOf(Head response) throws IOException {
    String[] parts = response.startLine().split(" ", 3);
    try {
      return Integer.parseInt(parts[1]);
    } catch (ArrayIndexOutOfBoundsException | NumberFormatException e) {
      throw new IOException("bad status line: " + response.startLine(), e);
    }
  }

  /** An answer the proxy makes itself: a registry-style JSON error body. */
  private static void canned(
      OutputStream out,
      int code,
      List<Header> extra,
      String message,
      boolean head,
      boolean keepAlive)
      throws IOException {
    String errorCode = code == 429 ? "TOOMANYREQUESTS" : code == 503 ? "UNAVAILABLE" : "UNKNOWN";
    byte[] body =
        ("{\"errors\":[{\"code\":\""
                + errorCode
                + "\",\"message\":\""
                + message.replace("\\", "\\\\").replace("\"", "\\\"")
                + "\"}]}\n")
            .getBytes(StandardCharsets.UTF_8);
    List<Header> headers = new ArrayList<>(extra);
    headers.add(new Header("Content-Type", "application/json; charset=utf-8"));
    headers.add(new Header("Content-Length", Integer.toString(body.length)));
    if (!keepAlive) {
      headers.add(new Header("Connection", "close"));
    }
    HttpWire.writeHead(out, "HTTP/1.1 " + code + " " + reason(code), headers);
    if (!head) {
      out.write(body);
    }
    out.flush();
  }

  private static String reason(int code) {
    return switch (code) {
      case 400 -> "Bad Request";
      case 404 -> "Not Found";
      case 429 -> "Too Many Requests";
      case 500 -> "Internal Server Error";
      case 502 -> "Bad Gateway";
      case 503 -> "Service Unavailable";
      case 504 -> "Gateway Timeout";
      default -> "Error";
    };
  }

  /**
   * One client connection: its socket, the upstream socket of the request in flight, its thread.
   */
  private static final class Connection {
    final Socket client;
    final long number;
    volatile Socket upstream;
    Thread thread;

    Connection(Socket client, long number) {
      this.client = client;
      this.number = number;
    }

    /** TCP RST: SO_LINGER 0, then close. */
    void reset() throws IOException {
      client.setSoLinger(true, 0);
      client.close();
    }

    /** FIN after what was sent; then waits a little for the client to close its side. */
    void halfClose(Duration linger) throws IOException {
      client.shutdownOutput();
      client.setSoTimeout((int) linger.toMillis());
      try {
        client.getInputStream().transferTo(OutputStream.nullOutputStream());
      } catch (SocketTimeoutException e) {
        // The client kept its side open; closing ours is all that is left.
      }
      client.close();
    }

    void abort() {
      closeQuietly(upstream);
      closeQuietly(client);
      if (thread != null && thread != Thread.currentThread()) {
        thread.interrupt();
      }
    }

    private static void closeQuietly(Socket s) {
      if (s != null) {
        try {
          s.close();
        } catch (IOException e) {
          // Nothing left to release.
        }
      }
    }
  }

  /** Builds a rule: {@code proxy.on(method, path).times(n).fault(f)}. */
  public final class RuleBuilder {
    private final String method;
    private final Pattern path;
    private long times = -1;

    private RuleBuilder(String method, String pathRegex) {
      this.method = method;
      this.path = Pattern.compile(pathRegex);
    }

    /** Applies to the next {@code n} matching requests only (default: until removed). */
    public RuleBuilder times(long n) {
      if (n <= 0) {
        throw new IllegalArgumentException("times must be positive: " + n);
      }
      this.times = n;
      return this;
    }

    /** Installs the rule with {@code fault}, after the rules already there. */
    public Rule fault(Fault fault) {
      Rule r = new Rule(method, path, fault, times);
      lock.lock();
      try {
        rules.add(r);
      } finally {
        lock.unlock();
      }
      return r;
    }
  }

  /** An installed rule, with its counters. */
  public final class Rule {
    private final String method;
    private final Pattern path;
    private final Fault fault;
    private final AtomicLong hits = new AtomicLong();
    private final AtomicLong fired = new AtomicLong();
    private long remaining; // guarded by lock; -1: without limit
    private volatile boolean removed;

    private Rule(String method, Pattern path, Fault fault, long times) {
      this.method = method;
      this.path = path;
      this.fault = fault;
      this.remaining = times;
    }

    public Fault fault() {
      return fault;
    }

    /** Requests this rule took. */
    public long hits() {
      return hits.get();
    }

    /** Requests on which its fault took effect. */
    public long fired() {
      return fired.get();
    }

    /** Whether it still takes requests (not removed, not used up). */
    public boolean isActive() {
      lock.lock();
      try {
        return rules.contains(this);
      } finally {
        lock.unlock();
      }
    }

    /** Removes the rule; its stalls and slow bodies in flight end. */
    public void remove() {
      lock.lock();
      try {
        removed = true;
        rules.remove(this);
        changed.signalAll();
      } finally {
        lock.unlock();
      }
    }

    @Override
    public String toString() {
      return (method == null ? "*" : method) + " " + path + " -> " + fault;
    }
  }

  /** One request the proxy saw. */
  public static final class Exchange {
    private final Instant arrived;
    private final long connection;
    private final String method;
    private final String target;
    private final String path;
    private final Rule rule;
    private final AtomicLong bodyBytes = new AtomicLong();
    private volatile int status;
    private volatile boolean faulted;

    private Exchange(
        Instant arrived, long connection, String method, String target, String path, Rule rule) {
      this.arrived = arrived;
      this.connection = connection;
      this.method = method;
      this.target = target;
      this.path = path;
      this.rule = rule;
    }

    /** When its head had been read. */
    public Instant arrived() {
      return arrived;
    }

    /** Which client connection it came on: 1 for the first the proxy accepted, and so on. */
    public long connection() {
      return connection;
    }

    public String method() {
      return method;
    }

    /** The request target with its query. */
    public String target() {
      return target;
    }

    public String path() {
      return path;
    }

    /** The rule that took it, or null. */
    public Rule rule() {
      return rule;
    }

    /** The status the client got (0 while no head was sent, or none ever was). */
    public int status() {
      return status;
    }

    /** Response body bytes sent to the client so far. */
    public long bodyBytes() {
      return bodyBytes.get();
    }

    /** Whether its rule's fault took effect. */
    public boolean faulted() {
      return faulted;
    }

    @Override
    public String toString() {
      return "#"
          + connection
          + " "
          + method
          + " "
          + target
          + " -> "
          + status
          + ", "
          + bodyBytes()
          + " bytes"
          + (faulted ? ", " + rule.fault : "");
    }
  }

  /** What a rule does to the requests it takes. */
  public sealed interface Fault {
    /** For drop, reset and stall: act before the response head, without asking the upstream. */
    long BEFORE_HEADERS = -1;

    /** Relay unchanged (a rule that only counts). */
    static Fault pass() {
      return new Pass();
    }

    /** Close the connection after {@code afterBytes} body bytes (or {@link #BEFORE_HEADERS}). */
    static Fault drop(long afterBytes) {
      return new Drop(afterBytes);
    }

    /** Stop sending after {@code afterBytes} body bytes for {@code duration}, then go on. */
    static Fault stall(long afterBytes, Duration duration) {
      return new Stall(afterBytes, duration);
    }

    /** Stop sending after {@code afterBytes} body bytes until the rule is removed. */
    static Fault stallUntilCleared(long afterBytes) {
      return new Stall(afterBytes, null);
    }

    /** XOR 0xFF into the body byte at {@code offset}. */
    static Fault flip(long offset) {
      return new Flip(offset, 0);
    }

    /** XOR 0xFF into the body bytes at {@code offset}, {@code offset + every}, ... */
    static Fault flipEvery(long offset, long every) {
      return new Flip(offset, every);
    }

    /** Send the head (Content-Length kept) and {@code keepBytes} body bytes, then FIN. */
    static Fault truncate(long keepBytes) {
      return new Truncate(keepBytes);
    }

    /** Answer {@code code} instead of forwarding. */
    static Fault status(int code) {
      return new Status(code, null, null);
    }

    /** Answer {@code code} with {@code Retry-After: <seconds>}. */
    static Fault status(int code, long retryAfterSeconds) {
      return new Status(code, Long.toString(retryAfterSeconds), null);
    }

    /**
     * Answer {@code code} with a Retry-After HTTP date {@code fromNow} after the answer is made,
     * rounded up to the next whole second.
     */
    static Fault statusRetryAt(int code, Duration fromNow) {
      return new Status(code, null, fromNow);
    }

    /** Answer {@code code} with this exact Retry-After value (e.g. garbage). */
    static Fault statusRetryAfterRaw(int code, String retryAfter) {
      return new Status(code, retryAfter, null);
    }

    /** Send the body at {@code bytesPerSecond} until the rule is removed. */
    static Fault slow(long bytesPerSecond) {
      return new Slow(bytesPerSecond);
    }

    /**
     * A TCP reset (SO_LINGER 0, close) after {@code afterBytes} body bytes (or {@link
     * #BEFORE_HEADERS}); bytes still in flight may be lost with it.
     */
    static Fault reset(long afterBytes) {
      return new Reset(afterBytes);
    }

    /** See {@link Fault#pass()}. */
    record Pass() implements Fault {}

    /** See {@link Fault#drop(long)}. */
    record Drop(long afterBytes) implements Fault {
      public Drop {
        checkOffset(afterBytes, true);
      }
    }

    /** See {@link Fault#stall(long, Duration)}; a null duration lasts until the rule is removed. */
    record Stall(long afterBytes, Duration duration) implements Fault {
      public Stall {
        checkOffset(afterBytes, true);
      }
    }

    /** See {@link Fault#flipEvery(long, long)}; {@code every} 0 flips one byte. */
    record Flip(long offset, long every) implements Fault {
      public Flip {
        checkOffset(offset, false);
        if (every < 0) {
          throw new IllegalArgumentException("every must be >= 0: " + every);
        }
      }

      /** Flips the bytes of {@code buf[0, n)} (body offset {@code pos}); whether any was. */
      boolean apply(byte[] buf, int n, long pos) {
        long first;
        if (pos <= offset) {
          first = offset;
        } else if (every == 0) {
          return false;
        } else {
          first = offset + ((pos - offset + every - 1) / every) * every;
        }
        boolean any = false;
        for (long p = first; p < pos + n; p += every) {
          buf[(int) (p - pos)] ^= (byte) 0xff;
          any = true;
          if (every == 0) {
            break;
          }
        }
        return any;
      }
    }

    /** See {@link Fault#truncate(long)}. */
    record Truncate(long keepBytes) implements Fault {
      public Truncate {
        checkOffset(keepBytes, false);
      }
    }

    /** See {@link Fault#status(int, long)}; at most one of the two Retry-After forms. */
    record Status(int code, String retryAfter, Duration retryAt) implements Fault {
      public Status {
        if (code < 400 || code > 599) {
          throw new IllegalArgumentException("status must be 4xx or 5xx: " + code);
        }
      }

      /** The Retry-After value to send at {@code now}, or null. */
      String retryAfterHeader(Instant now) {
        if (retryAt != null) {
          Instant at = now.plus(retryAt);
          if (at.getNano() > 0) {
            // Rounded up: an HTTP date has whole seconds, and the client must not come back early.
            at = Instant.ofEpochSecond(at.getEpochSecond() + 1);
          }
          return HTTP_DATE.format(at);
        }
        return retryAfter;
      }
    }

    /** See {@link Fault#slow(long)}. */
    record Slow(long bytesPerSecond) implements Fault {
      public Slow {
        if (bytesPerSecond <= 0) {
          throw new IllegalArgumentException("rate must be positive: " + bytesPerSecond);
        }
      }
    }

    /** See {@link Fault#reset(long)}. */
    record Reset(long afterBytes) implements Fault {
      public Reset {
        checkOffset(afterBytes, true);
      }
    }

    private static void checkOffset(long bytes, boolean beforeHeadersAllowed) {
      if (bytes < 0 && !(beforeHeadersAllowed && bytes == BEFORE_HEADERS)) {
        throw new IllegalArgumentException("byte offset must be >= 0: " + bytes);
      }
    }
  }
}
