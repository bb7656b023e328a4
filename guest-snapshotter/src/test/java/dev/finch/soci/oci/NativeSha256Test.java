package dev.finch.soci.oci;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.MessageDigest;
import java.util.Random;
import org.junit.jupiter.api.Test;

class NativeSha256Test {
  @Test
  void libcryptoIsLoadedOnThisMachine() {
    assertThat(NativeSha256.available())
        .as("libcrypto.so.3 (libssl3) is installed by scripts/install-deps")
        .isTrue();
    assertThat(NativeSha256.create()).isInstanceOf(NativeSha256.class);
  }

  @Test
  void sameDigestsAsTheJdkForAnySizeAndChunking() throws Exception {
    Random r = new Random(7);
    for (int size : new int[] {0, 1, 55, 56, 63, 64, 65, 1000, 65_536, 1_000_003}) {
      byte[] data = new byte[size];
      r.nextBytes(data);
      byte[] want = MessageDigest.getInstance("SHA-256").digest(data);
      assertThat(NativeSha256.create().digest(data))
          .as("size %d in one update", size)
          .isEqualTo(want);
      MessageDigest md = NativeSha256.create();
      int pos = 0;
      while (pos < size) {
        int n = Math.min(size - pos, 1 + r.nextInt(70_000));
        md.update(data, pos, n);
        pos += n;
      }
      assertThat(md.digest()).as("size %d in random chunks", size).isEqualTo(want);
    }
  }

  @Test
  void digestResetsAndSingleBytesWork() throws Exception {
    MessageDigest md = NativeSha256.create();
    md.update((byte) 'a');
    md.update((byte) 'b');
    md.update((byte) 'c');
    byte[] abc = MessageDigest.getInstance("SHA-256").digest("abc".getBytes());
    assertThat(md.digest()).isEqualTo(abc);
    md.update("abc".getBytes(), 0, 3);
    assertThat(md.digest()).as("after a digest the state starts over").isEqualTo(abc);
    md.update("zzz".getBytes());
    md.reset();
    assertThat(md.digest("abc".getBytes())).isEqualTo(abc);
  }
}
