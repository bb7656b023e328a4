package dev.finch.soci.ztoc.compression;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finch.soci.oci.Digest;
import dev.finch.soci.sys.LibZ;
import dev.finch.soci.ztoc.Vectors;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GzipIndexerTest {
  private static final long SPAN = 65536;

  @Test
  void checkpointBlobIsByteIdenticalToReference() throws Exception {
    byte[] gz = Vectors.bytes("layer.tar.gz");
    ByteArrayOutputStream tar = new ByteArrayOutputStream();
    GzipIndexer.Result r =
        GzipIndexer.index(
            new ByteArrayInputStream(gz),
            SPAN,
            (seg, off, len) -> tar.write(seg.asSlice(off, len).toArray(ValueLayout.JAVA_BYTE)),
            "layer");
    assertThat(r.zinfo().toBytes()).isEqualTo(Vectors.bytes("layer.zinfo.span65536.bin"));
    assertThat(tar.toByteArray()).isEqualTo(Vectors.bytes("layer.tar"));
    assertThat(r.compressedSize()).isEqualTo(gz.length);
    assertThat(r.blobDigest()).isEqualTo(Digest.sha256(gz));
    assertThat(r.spanDigests())
        .extracting(Digest::toString)
        .containsExactly(
            "sha256:456d1139cf3d3c0c3c96ddeb0d142ab4daea70fe69f1eba57d0b2388c0166ef8",
            "sha256:a4be4b8b7bfb6f713747eeac3dcd4ba25fe56550e0f526615d40417d66ffeed5",
            "sha256:4436c1437135ac18d3f973a5e4ea017278a7674394b687a0ecfbd334d212488d",
            "sha256:c22baab3c101160a1ecbba217e8947ab0fe33e8c573f678e6e83f07e7dedd322",
            "sha256:d1c2c6825df6dc5ec1e08c27b346462b0e470cff7de3daae92312eae1350babf",
            "sha256:511b122977f528be807c3b997098afc3db57bf79c3b8763570cb50c20cf9a0fe");
  }

  @Test
  void everySpanExtractsToTheTarBytes() throws Exception {
    byte[] gz = Vectors.bytes("layer.tar.gz");
    byte[] tar = Vectors.bytes("layer.tar");
    GzipZinfo z = GzipZinfo.parse(Vectors.bytes("layer.zinfo.span65536.bin"));
    assertThat(z.checkpoints())
        .extracting(GzipCheckpoint::in)
        .containsExactly(10L, 65718L, 131289L, 196887L, 254134L, 313733L);
    assertThat(z.startCompressedOffset(4)).isEqualTo(254133L);
    for (int s = 0; s <= z.maxSpanId(); s++) {
      int start = (int) z.startCompressedOffset(s);
      int end = (int) z.endCompressedOffset(s, gz.length);
      long uStart = z.startUncompressedOffset(s);
      long uEnd = z.endUncompressedOffset(s, tar.length);
      byte[] out = new byte[(int) (uEnd - uStart)];
      z.extract(s, gz, start, end - start, uStart, out, 0, out.length);
      byte[] expected = java.util.Arrays.copyOfRange(tar, (int) uStart, (int) uEnd);
      assertThat(out).as("span %d", s).isEqualTo(expected);
      // a range in the middle of the span
      int mid = out.length / 3;
      byte[] part = new byte[Math.min(1000, out.length - mid)];
      z.extract(s, gz, start, end - start, uStart + mid, part, 0, part.length);
      assertThat(part).isEqualTo(java.util.Arrays.copyOfRange(expected, mid, mid + part.length));
    }
  }

  @Test
  void v1BlobReadsWithSynthesisedFirstCheckpointAndReserialisesAsV1() throws Exception {
    byte[] v2 = Vectors.bytes("layer.zinfo.span65536.bin");
    byte[] v1 = new byte[v2.length - GzipZinfo.PACKED_CHECKPOINT_SIZE];
    System.arraycopy(v2, 0, v1, 0, GzipZinfo.BLOB_HEADER_SIZE);
    System.arraycopy(
        v2,
        GzipZinfo.BLOB_HEADER_SIZE + GzipZinfo.PACKED_CHECKPOINT_SIZE,
        v1,
        GzipZinfo.BLOB_HEADER_SIZE,
        v1.length - GzipZinfo.BLOB_HEADER_SIZE);
    GzipZinfo z = GzipZinfo.parse(v1);
    assertThat(z.version()).isEqualTo(GzipZinfo.VERSION_ONE);
    assertThat(z.checkpoints()).hasSize(6);
    GzipCheckpoint first = z.checkpoints().getFirst();
    assertThat(List.of(first.in(), first.out(), (long) first.bits())).containsExactly(10L, 0L, 0L);
    assertThat(first.window()).containsOnly((byte) 0);
    assertThat(z.checkpoints().subList(1, 6))
        .isEqualTo(GzipZinfo.parse(v2).checkpoints().subList(1, 6));
    assertThat(z.toBytes()).isEqualTo(v1);
    assertThat(GzipZinfo.parse(v2).toBytes()).isEqualTo(v2);
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 7, 4096, 65718, 254133, 254134, 300000})
  void readSizeDoesNotChangeCheckpointsOrDigests(int readSize) throws Exception {
    byte[] gz = Vectors.bytes("layer.tar.gz");
    GzipIndexer.Result whole =
        GzipIndexer.index(new ByteArrayInputStream(gz), SPAN, (seg, off, len) -> {}, "layer");
    GzipIndexer.Result chunked =
        GzipIndexer.index(
            new ByteArrayInputStream(gz),
            SPAN,
            (seg, off, len) -> {},
            "layer",
            Math.min(readSize, 1 << 18),
            null);
    assertThat(chunked.zinfo().toBytes()).isEqualTo(whole.zinfo().toBytes());
    assertThat(chunked.spanDigests()).isEqualTo(whole.spanDigests());
  }

  @Test
  void multiMemberGzipKeepsCountingAndSpansCrossMembers() throws Exception {
    byte[] tar = Vectors.bytes("layer.tar");
    int cut = 150_001;
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    for (byte[] part : new byte[][] {Arrays.copyOf(tar, cut)}) {
      try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
        out.write(part);
      }
    }
    int firstMember = gz.size();
    for (byte[] part : new byte[][] {Arrays.copyOfRange(tar, cut, tar.length)}) {
      try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
        out.write(part);
      }
    }
    byte[] blob = gz.toByteArray();
    ByteArrayOutputStream inflated = new ByteArrayOutputStream();
    GzipIndexer.Result r =
        GzipIndexer.index(
            new ByteArrayInputStream(blob),
            40_000,
            (seg, off, len) -> inflated.write(seg.asSlice(off, len).toArray(ValueLayout.JAVA_BYTE)),
            "layer");
    assertThat(inflated.toByteArray()).isEqualTo(tar);
    GzipZinfo z = r.zinfo();
    assertThat(z.maxSpanId()).isGreaterThan(3);
    for (int s = 0; s <= z.maxSpanId(); s++) {
      int start = (int) z.startCompressedOffset(s);
      byte[] span = Arrays.copyOfRange(blob, start, (int) z.endCompressedOffset(s, blob.length));
      assertThat(Digest.sha256(span)).isEqualTo(r.spanDigests().get(s));
      long from = z.startUncompressedOffset(s);
      int n = (int) (z.endUncompressedOffset(s, tar.length) - from);
      assertThat(z.extract(s, span, from, n))
          .as("span %d", s)
          .isEqualTo(Arrays.copyOfRange(tar, (int) from, (int) from + n));
    }
    // A range ending exactly at the end of member 1 needs neither its trailer nor member 2.
    int s = z.spanIdForUncompressedOffset(cut - 1);
    int start = (int) z.startCompressedOffset(s);
    byte[] deflateOnly = Arrays.copyOfRange(blob, start, firstMember - 8);
    long from = z.startUncompressedOffset(s);
    assertThat(z.extract(s, deflateOnly, from, (int) (cut - from)))
        .isEqualTo(Arrays.copyOfRange(tar, (int) from, cut));
  }

  @Test
  void nativeZlibIsLoaded() {
    assertThat(LibZ.version()).startsWith("1.");
    assertThat(MemorySegment.NULL.byteSize()).isZero();
  }
}
