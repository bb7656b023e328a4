package dev.finch.soci.registry;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A response body as an {@link InputStream} whose every read waits at most the no-progress timeout,
 * and, while a deadline is set, no later than the deadline: a registry that sends half a body and
 * stalls makes the read fail with {@link StalledException} instead of blocking. The JDK's own
 * {@code BodyHandlers.ofInputStream()} bounds only the wait for the headers. Reads are
 * interruptible. Closing the stream cancels the transfer (the connection is then not reused).
 */
final class TimedBody extends InputStream implements HttpResponse.BodySubscriber<InputStream> {

  /** A body read that waited longer than a bound; {@link EndpointCaller} retries it. */
  static final class StalledException extends IOException {
    StalledException(String message) {
      super(message);
    }
  }

  private static final List<ByteBuffer> END = List.of();

  private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
  private final CompletableFuture<InputStream> body = CompletableFuture.completedFuture(this);
  private final long noProgressNanos;
  private volatile long deadlineNanos;
  private volatile Flow.Subscription subscription;
  private List<ByteBuffer> current = List.of();
  private int index;
  private boolean ended;
  private IOException failure;
  private volatile boolean closed;

  /**
   * @param noProgressNanos the longest wait for more bytes
   * @param deadlineNanos a {@link System#nanoTime} after which no read waits, or {@link
   *     Long#MAX_VALUE}
   */
  TimedBody(long noProgressNanos, long deadlineNanos) {
    this.noProgressNanos = noProgressNanos;
    this.deadlineNanos = deadlineNanos;
  }

  /** A handler that gives each response a fresh {@code TimedBody} with these bounds. */
  static HttpResponse.BodyHandler<InputStream> handler(
      long noProgressNanos, long deadlineNanos, java.util.function.Consumer<TimedBody> made) {
    return info -> {
      TimedBody b = new TimedBody(noProgressNanos, deadlineNanos);
      made.accept(b);
      return b;
    };
  }

  /** Lifts the deadline (the body now belongs to a caller that streams it at its own pace). */
  void clearDeadline() {
    deadlineNanos = Long.MAX_VALUE;
  }

  // ---- BodySubscriber: the HTTP client pushes buffers here, one list per request(1) ----

  @Override
  public CompletionStage<InputStream> getBody() {
    return body;
  }

  @Override
  public void onSubscribe(Flow.Subscription s) {
    subscription = s;
    if (closed) {
      s.cancel();
    } else {
      s.request(1);
    }
  }

  @Override
  public void onNext(List<ByteBuffer> item) {
    queue.add(item);
  }

  @Override
  public void onError(Throwable t) {
    queue.add(t);
  }

  @Override
  public void onComplete() {
    queue.add(END);
  }

  // ---- InputStream ----

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    java.util.Objects.checkFromIndexSize(off, len, b.length);
    if (len == 0) {
      return 0;
    }
    ByteBuffer buf = nextBuffer();
    if (buf == null) {
      return -1;
    }
    int n = Math.min(len, buf.remaining());
    buf.get(b, off, n);
    return n;
  }

  @Override
  public int available() {
    ByteBuffer buf = index < current.size() ? current.get(index) : null;
    return buf == null ? 0 : buf.remaining();
  }

  // The buffer holding the next byte, waiting within the bounds for one; null at the end.
  private ByteBuffer nextBuffer() throws IOException {
    while (true) {
      if (closed) {
        throw new IOException("body closed");
      }
      if (failure != null) {
        throw failure;
      }
      while (index < current.size()) {
        ByteBuffer buf = current.get(index);
        if (buf.hasRemaining()) {
          return buf;
        }
        index++;
      }
      if (ended) {
        return null;
      }
      if (!current.isEmpty() || index > 0) {
        current = List.of();
        index = 0;
        Flow.Subscription s = subscription;
        if (s != null) {
          s.request(1);
        }
      }
      Object next = take();
      if (next == END) {
        ended = true;
      } else if (next instanceof Throwable t) {
        failure = t instanceof IOException io ? io : new IOException(t.getMessage(), t);
      } else {
        @SuppressWarnings("unchecked")
        List<ByteBuffer> item = (List<ByteBuffer>) next;
        current = item;
        index = 0;
        if (item.isEmpty()) {
          // an empty delivery still used up its demand
          Flow.Subscription s = subscription;
          if (s != null) {
            s.request(1);
          }
        }
      }
    }
  }

  private Object take() throws IOException {
    long now = System.nanoTime();
    long deadline = deadlineNanos;
    long wait = noProgressNanos;
    boolean byDeadline = false;
    if (deadline != Long.MAX_VALUE && deadline - now < wait) {
      wait = Math.max(0, deadline - now);
      byDeadline = true;
    }
    Object next;
    try {
      next = queue.poll(wait, TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      close();
      throw new InterruptedIOException("interrupted while reading a registry answer");
    }
    if (next == null) {
      close();
      throw new StalledException(
          byDeadline
              ? "the call's time ran out while the body was arriving"
              : "no bytes for "
                  + Timeouts.text(java.time.Duration.ofNanos(noProgressNanos))
                  + " in the middle of the body");
    }
    return next;
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    Flow.Subscription s = subscription;
    if (s != null) {
      s.cancel();
    }
    queue.clear();
  }
}
