package dev.finch.soci.sys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class LibCryptoTest {
  private static final String ABC =
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

  @Test
  void oneContextServesDigestAfterDigest() {
    MemorySegment ctx = LibCrypto.newSha256Context();
    byte[] out = new byte[LibCrypto.SHA256_LENGTH];
    for (int i = 0; i < 3; i++) {
      LibCrypto.update(ctx, MemorySegment.ofArray("abc".getBytes(StandardCharsets.US_ASCII)), 3);
      LibCrypto.digestFinal(ctx, MemorySegment.ofArray(out));
      assertThat(HexFormat.of().formatHex(out)).isEqualTo(ABC);
      LibCrypto.initSha256(ctx);
    }
  }

  @Test
  void contextsNobodyHoldsAreFreedAndAHeldOneIsNot() throws Exception {
    MemorySegment held = LibCrypto.newSha256Context();
    LibCrypto.update(held, MemorySegment.ofArray("ab".getBytes(StandardCharsets.US_ASCII)), 2);
    for (int i = 0; i < 20_000; i++) {
      LibCrypto.newSha256Context();
    }
    System.gc();
    Thread.sleep(100);
    LibCrypto.update(held, MemorySegment.ofArray("c".getBytes(StandardCharsets.US_ASCII)), 1);
    byte[] out = new byte[LibCrypto.SHA256_LENGTH];
    LibCrypto.digestFinal(held, MemorySegment.ofArray(out));
    assertThat(HexFormat.of().formatHex(out)).isEqualTo(ABC);
  }

  @Test
  void aShortDigestBufferIsRefusedBeforeCallingC() {
    MemorySegment ctx = LibCrypto.newSha256Context();
    assertThatThrownBy(() -> LibCrypto.digestFinal(ctx, MemorySegment.ofArray(new byte[31])))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
