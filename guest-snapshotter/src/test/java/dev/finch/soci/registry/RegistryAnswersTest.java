package dev.finch.soci.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.finch.soci.oci.Digest;
import dev.finch.soci.oci.MediaTypes;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Malformed registry answers the fuzzer ({@link RegistryFuzzTargets}) found, each as its minimal
 * input: every one must end in a one-line {@link RegistryException} (or a null range), not in an
 * unchecked exception from the JDK or Jackson.
 */
class RegistryAnswersTest {
  private static final Digest BLOB = Digest.sha256(new byte[] {1, 2, 3});

  private static FakeResponse answer(String text) {
    return FakeResponse.of(text.getBytes(StandardCharsets.ISO_8859_1));
  }

  @Test
  void contentRangeBeyondALongIsMalformedNotANumberFormatException() {
    assertThat(ContentRange.parse("bytes 23372036854775807100-1/*")).isNull();
    assertThat(ContentRange.parse("bytes 0-23372036854775807100/*")).isNull();
  }

  @Test
  void contentRangeEndingAtTheLastLongIsMalformedNotAnInvalidRange() {
    assertThat(ContentRange.parse("bytes 6-9223372036854775807/2")).isNull();
    assertThat(ContentRange.parse("bytes 0-9223372036854775806/*"))
        .isEqualTo(new ByteRange(0, Long.MAX_VALUE));
  }

  @Test
  void oneHugePartCoveringTheRegionsIsReadOnlyAsFarAsNeeded() throws Exception {
    BlobRangeFetch f =
        new BlobRangeFetch(
            "r", "app", BLOB, List.of(new ByteRange(0, 3), new ByteRange(10, 16)), null);
    // was: ArithmeticException (integer overflow) sizing a 2 GiB read
    assertThatThrownBy(() -> f.handle(answer("206\nContent-Range: bytes 0-2147483649/16\n\n")))
        .isInstanceOf(RegistryException.UnexpectedResponse.class)
        .hasMessageEndingWith("HTTP 206: expected 16 bytes, got 0");
    byte[] body = new byte[40];
    for (int i = 0; i < body.length; i++) {
      body[i] = (byte) i;
    }
    BlobRangeFetch.Result r =
        f.handle(
            FakeResponse.of(
                FakeResponse.bytes(206, Map.of("Content-Range", "bytes 0-2147483649/*"), body)));
    assertThat(r.data()).containsExactly(new byte[] {0, 1, 2}, new byte[] {10, 11, 12, 13, 14, 15});
  }

  @Test
  void controlCharactersFromTheRegistryStayOutOfMessages() {
    BlobRangeFetch f = new BlobRangeFetch("r", "app", BLOB, List.of(new ByteRange(10, 16)), null);
    assertThatThrownBy(() -> f.handle(answer("206\nContent-Range:6\rt\n\n")))
        .isInstanceOf(RangeMismatchException.class)
        .hasMessageEndingWith("got 6?t");
    assertThat(Responses.errorDetail("-\ro\nsecond".getBytes(StandardCharsets.UTF_8)))
        .isEqualTo("-?o");
    assertThatThrownBy(
            () ->
                MultipartByteranges.parse(
                    "--b\r\nContent-Range:\r\r\n".getBytes(StandardCharsets.ISO_8859_1), "b"))
        .isInstanceOf(MultipartByteranges.MalformedBodyException.class)
        .hasMessage("expected Content-Range bytes a-b/n, got Content-Range:?");
  }

  @Test
  void aPartLongerThanTheBodyIsMalformedNotAnOverflow() {
    byte[] body =
        "--b\r\nContent-Range: bytes 0-9223372036854775806/*\r\n\r\nab"
            .getBytes(StandardCharsets.ISO_8859_1);
    assertThatThrownBy(() -> MultipartByteranges.parse(body, "b"))
        .isInstanceOf(MultipartByteranges.MalformedBodyException.class)
        .hasMessage("expected 9223372036854775807 bytes for part [0, 9223372036854775807), got 2");
  }

  @Test
  void unreadableJsonIsOneLine() {
    // was: Jackson's two-line message (its location on the second line)
    assertThatThrownBy(() -> new TagsList("r", "app").handle(answer("200\n\n")))
        .isInstanceOf(RegistryException.UnexpectedResponse.class)
        .hasMessage(
            "list tags of r/app: bad response: unreadable JSON: No content to map due to"
                + " end-of-input");
    assertThatThrownBy(() -> new TagsList("r", "app").handle(answer("200\n\nnull")))
        .isInstanceOf(RegistryException.UnexpectedResponse.class)
        .hasMessageEndingWith("JSON null instead of an object");
  }

  @Test
  void aReferrerWithoutDigestOrABadLinkIsABadResponse() {
    ReferrersFetch f = new ReferrersFetch("r", "app", BLOB, null, null);
    String type = "200\nContent-Type: " + MediaTypes.OCI_INDEX + "\n";
    // was: a descriptor with a null digest, then a NullPointerException in the index resolver
    assertThatThrownBy(() -> f.handle(answer(type + "\n{\"manifests\":[{\"size\":6}]}")))
        .isInstanceOf(RegistryException.UnexpectedResponse.class)
        .message()
        .contains("unreadable JSON")
        .contains("descriptor has no digest")
        .doesNotContain("\n");
    // was: IllegalArgumentException from URI.resolve
    assertThatThrownBy(() -> f.handle(answer(type + "Link: <a b>; rel=next\n\n{}")))
        .isInstanceOf(RegistryException.UnexpectedResponse.class)
        .hasMessageEndingWith("Link header names no valid URL: <a b>; rel=next");
  }

  @Test
  void aManifestWithoutAnyMediaTypeIsNeitherIndexNorManifest() throws Exception {
    // was: NullPointerException in MediaTypes.isIndex(null)
    ManifestBytes mb = new ManifestFetch("r", "app", "v1").handle(answer("200\n\n{}"));
    assertThat(mb.isIndex()).isFalse();
    assertThat(mb.isManifest()).isFalse();
    ManifestBytes nul = new ManifestFetch("r", "app", "v1").handle(answer("200\n\nnull"));
    assertThatThrownBy(nul::manifest)
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageEndingWith("is not a JSON object");
  }
}
