package dev.finch.soci.containerd;

import com.google.protobuf.ByteString;
import dev.finch.soci.grpc.api.content.ContentGrpc;
import dev.finch.soci.grpc.api.content.WriteAction;
import dev.finch.soci.grpc.api.content.WriteContentRequest;
import dev.finch.soci.grpc.api.content.WriteContentResponse;
import dev.finch.soci.oci.Digest;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The client half of containerd's {@code Content.Write} stream. containerd answers every request
 * with exactly one response, so we send one message and wait for its answer:
 *
 * <ol>
 *   <li>{@code STAT} with ref, total and expected digest: takes the ref lock; fails with
 *       ALREADY_EXISTS when the store already holds the digest;
 *   <li>{@code WRITE} chunks at increasing offsets, starting at 0 (which discards any partial
 *       ingest);
 *   <li>{@code COMMIT} with total, expected digest and labels: containerd verifies size and digest.
 * </ol>
 */
final class ContentWriter {
  static final int CHUNK = 1 << 20;
  private static final long REPLY_TIMEOUT_SECONDS = 120;

  private final Rpc rpc;

  ContentWriter(Rpc rpc) {
    this.rpc = rpc;
  }

  /** Returns false when containerd already had the blob (nothing was written). */
  boolean write(
      String ref, Digest expected, long size, InputStream data, Map<String, String> labels) {
    String action = "write content " + expected + " (ref " + ref + ")";
    Replies replies = new Replies();
    StreamObserver<WriteContentRequest> requests =
        ContentGrpc.newStub(rpc.channel()).write(replies);
    try {
      WriteContentResponse stat =
          replies.exchange(
              requests,
              WriteContentRequest.newBuilder()
                  .setAction(WriteAction.STAT)
                  .setRef(ref)
                  .setTotal(size)
                  .setExpected(expected.toString())
                  .build());
      if (stat.getOffset() == size && size > 0 && expected.toString().equals(stat.getDigest())) {
        // A complete earlier ingest of the same content: just commit it.
        commit(replies, requests, size, expected, ByteString.EMPTY, size, labels);
        return true;
      }
      long offset = 0;
      byte[] buf = new byte[CHUNK];
      while (true) {
        int n = data.readNBytes(buf, 0, buf.length);
        if (n <= 0) {
          break;
        }
        if (offset + n > size) {
          throw new ContainerdException(
              ContainerdException.Kind.INVALID_ARGUMENT,
              action + ": data is longer than the declared size " + size);
        }
        boolean last = offset + n == size;
        ByteString chunk = ByteString.copyFrom(buf, 0, n);
        if (last) {
          commit(replies, requests, offset, expected, chunk, size, labels);
          return true;
        }
        replies.exchange(
            requests,
            WriteContentRequest.newBuilder()
                .setAction(WriteAction.WRITE)
                .setOffset(offset)
                .setData(chunk)
                .build());
        offset += n;
      }
      if (offset != size) {
        throw new ContainerdException(
            ContainerdException.Kind.INVALID_ARGUMENT,
            action + ": data ended after " + offset + " of " + size + " bytes");
      }
      commit(replies, requests, offset, expected, ByteString.EMPTY, size, labels);
      return true;
    } catch (ContainerdException e) {
      requests.onError(e);
      throw e;
    } catch (IOException e) {
      requests.onError(e);
      throw new UncheckedIOException(action + ": reading the data failed", e);
    } catch (RuntimeException e) {
      requests.onError(e);
      ContainerdException ce = rpc.error(e, action);
      if (ce.is(ContainerdException.Kind.ALREADY_EXISTS)) {
        return false;
      }
      throw ce;
    }
  }

  private static void commit(
      Replies replies,
      StreamObserver<WriteContentRequest> requests,
      long offset,
      Digest expected,
      ByteString data,
      long size,
      Map<String, String> labels) {
    replies.exchange(
        requests,
        WriteContentRequest.newBuilder()
            .setAction(WriteAction.COMMIT)
            .setOffset(offset)
            .setData(data)
            .setTotal(size)
            .setExpected(expected.toString())
            .putAllLabels(labels)
            .build());
    requests.onCompleted();
  }

  /** Responses (or the terminal error) of one Write stream, consumed one per request. */
  private static final class Replies implements StreamObserver<WriteContentResponse> {
    private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();

    WriteContentResponse exchange(
        StreamObserver<WriteContentRequest> requests, WriteContentRequest req) {
      requests.onNext(req);
      Object o;
      try {
        o = queue.poll(REPLY_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ContainerdException(ContainerdException.Kind.CANCELLED, "interrupted", e);
      }
      return switch (o) {
        case null ->
            throw new ContainerdException(
                ContainerdException.Kind.DEADLINE_EXCEEDED,
                "no reply to " + req.getAction() + " within " + REPLY_TIMEOUT_SECONDS + "s");
        case WriteContentResponse r -> r;
        case RuntimeException e -> throw e;
        case Throwable t -> throw new IllegalStateException(t);
        default ->
            throw new IllegalStateException("stream ended before a reply to " + req.getAction());
      };
    }

    @Override
    public void onNext(WriteContentResponse value) {
      queue.add(value);
    }

    @Override
    public void onError(Throwable t) {
      queue.add(t instanceof RuntimeException re ? re : new RuntimeException(t));
    }

    @Override
    public void onCompleted() {
      queue.add(Boolean.FALSE);
    }
  }
}
