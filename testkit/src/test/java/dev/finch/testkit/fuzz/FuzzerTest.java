package dev.finch.testkit.fuzz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fuzzer finds what it must: untyped exceptions, unclear messages, hangs, memory, bad seeds.
 */
class FuzzerTest {
  @TempDir Path findings;

  private Fuzzer.Report fuzz(FuzzTarget t, long millis) {
    return Fuzzer.fuzz(t, Duration.ofMillis(millis), 1, findings);
  }

  private static boolean contains(byte[] in, int b) {
    for (byte x : in) {
      if (x == b) {
        return true;
      }
    }
    return false;
  }

  @Test
  void anUntypedExceptionIsAFindingShrunkToItsCause() throws IOException {
    FuzzTarget t =
        FuzzTarget.builder(
                "npe",
                in -> {
                  if (contains(in, 'Z')) {
                    throw new NullPointerException("boom");
                  }
                  if (in.length > 20) {
                    throw new IOException("too long");
                  }
                })
            .seed("hello")
            .typed(IOException.class)
            .dictionary("Z")
            .build();
    Fuzzer.Report r = fuzz(t, 3000);
    assertThat(r.inputs()).isGreaterThan(10);
    assertThat(r.findings())
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.kind()).isEqualTo(Fuzzer.Kind.UNTYPED);
              assertThat(f.signature()).contains("java.lang.NullPointerException");
              assertThat(f.input()).containsExactly('Z');
              assertThat(Files.readAllBytes(f.file())).containsExactly('Z');
            });
    assertThatThrownBy(() -> Fuzzer.assertNoFindings(r))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("fuzz npe: ")
        .hasMessageContaining("input (base64): Wg==");
  }

  @Test
  void aTypedErrorMustHaveAOneLineMessage() {
    FuzzTarget t =
        FuzzTarget.builder(
                "message",
                in -> {
                  if (in.length != 5) {
                    throw new IOException("line one\nline two");
                  }
                })
            .seed("hello")
            .typed(IOException.class)
            .build();
    assertThat(fuzz(t, 1000).findings())
        .extracting(Fuzzer.Finding::kind)
        .containsExactly(Fuzzer.Kind.UNCLEAR_MESSAGE);
  }

  @Test
  void aHangAndAnAllocationPastTheBoundAreFindings() {
    FuzzTarget hang =
        FuzzTarget.builder(
                "hang",
                in -> {
                  if (in.length != 5) {
                    Thread.sleep(60_000); // interruptible: the worker is freed afterwards
                  }
                })
            .seed("hello")
            .build();
    Fuzzer.Report h = fuzz(hang, 100);
    assertThat(h.findings()).extracting(Fuzzer.Finding::kind).containsExactly(Fuzzer.Kind.HANG);

    List<byte[]> kept = new ArrayList<>();
    FuzzTarget memory =
        FuzzTarget.builder(
                "memory",
                in -> {
                  kept.clear();
                  if (in.length != 5) {
                    for (int i = 0; i < 80; i++) {
                      kept.add(new byte[1 << 20]);
                    }
                  }
                })
            .seed("hello")
            .build();
    assertThat(fuzz(memory, 200).findings())
        .extracting(Fuzzer.Finding::kind)
        .containsExactly(Fuzzer.Kind.MEMORY);
  }

  @Test
  void aSeedThatIsRefusedIsAFinding() {
    FuzzTarget t =
        FuzzTarget.builder(
                "seed",
                in -> {
                  throw new IOException("refused");
                })
            .seed("real input")
            .typed(IOException.class)
            .build();
    assertThat(fuzz(t, 100).findings())
        .extracting(Fuzzer.Finding::kind)
        .containsExactly(Fuzzer.Kind.SEED_REJECTED);
  }

  @Test
  void mutationsStayWithinTheCap() {
    Mutator m = new Mutator(new java.util.Random(3), List.of("token".getBytes()), 64);
    byte[] in = "0123456789".getBytes();
    for (int i = 0; i < 10_000; i++) {
      assertThat(m.mutate(in, in).length).isLessThanOrEqualTo(64);
    }
  }
}
