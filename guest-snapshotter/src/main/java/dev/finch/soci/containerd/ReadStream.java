package dev.finch.soci.containerd;

import dev.finch.soci.grpc.api.content.ContentGrpc;
import dev.finch.soci.grpc.api.content.ReadContentRequest;
import dev.finch.soci.grpc.api.content.ReadContentResponse;
import io.grpc.Context;
import java.io.IOException;
import java.io.InputStream;
import java.util.Iterator;

/**
 * An InputStream over a {@code Content.Read} server stream. The call runs in its own cancellable
 * gRPC context so that {@link #close()} before the end stops the transfer.
 */
final class ReadStream extends InputStream {
  private final Rpc rpc;
  private final String action;
  private final Context.CancellableContext context;
  private final Iterator<ReadContentResponse> responses;
  private byte[] chunk = new byte[0];
  private int pos;
  private boolean done;

  private ReadStream(
      Rpc rpc,
      String action,
      Context.CancellableContext context,
      Iterator<ReadContentResponse> it) {
    this.rpc = rpc;
    this.action = action;
    this.context = context;
    this.responses = it;
  }

  /** Starts the call and waits for the first chunk, so that NOT_FOUND surfaces here. */
  static ReadStream open(Rpc rpc, ReadContentRequest req, String action) {
    Context.CancellableContext ctx = Context.current().withCancellation();
    try {
      Iterator<ReadContentResponse> it =
          ctx.call(() -> ContentGrpc.newBlockingStub(rpc.channel()).read(req));
      ReadStream s = new ReadStream(rpc, action, ctx, it);
      s.fill();
      return s;
    } catch (Exception e) {
      ctx.cancel(null);
      throw rpc.error(e, action);
    }
  }

  private boolean fill() {
    while (pos >= chunk.length) {
      if (done) {
        return false;
      }
      if (!responses.hasNext()) {
        done = true;
        context.cancel(null);
        return false;
      }
      chunk = responses.next().getData().toByteArray();
      pos = 0;
    }
    return true;
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    try {
      if (!fill()) {
        return -1;
      }
    } catch (RuntimeException e) {
      throw new IOException(rpc.error(e, action).getMessage(), e);
    }
    int n = Math.min(len, chunk.length - pos);
    System.arraycopy(chunk, pos, b, off, n);
    pos += n;
    return n;
  }

  @Override
  public int available() {
    return chunk.length - pos;
  }

  @Override
  public void close() {
    done = true;
    context.cancel(null);
  }
}
