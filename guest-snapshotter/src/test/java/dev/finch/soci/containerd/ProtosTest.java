package dev.finch.soci.containerd;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Timestamp;
import dev.finch.soci.oci.Descriptor;
import dev.finch.soci.oci.Digest;
import dev.finch.soci.oci.MediaTypes;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProtosTest {
  @Test
  void descriptorRoundTrip() {
    Descriptor d =
        Descriptor.of(MediaTypes.OCI_LAYER_GZIP, Digest.sha256(new byte[] {1}), 42)
            .withAnnotations(Map.of("k", "v"));
    var proto = Protos.toProto(d);
    assertThat(proto.getDigest()).isEqualTo(d.digest().toString());
    assertThat(Protos.fromProto(proto)).isEqualTo(d);
  }

  @Test
  void descriptorWithoutAnnotationsStaysWithout() {
    Descriptor d = Descriptor.of(MediaTypes.OCI_MANIFEST, Digest.sha256(new byte[0]), 0);
    assertThat(Protos.fromProto(Protos.toProto(d))).isEqualTo(d);
  }

  @Test
  void mountRoundTrip() {
    ContainerdMount m =
        ContainerdMount.of(
            "overlay", "overlay", List.of("lowerdir=/a:/b", "upperdir=/c", "workdir=/d"));
    assertThat(Protos.fromProto(Protos.toProto(m))).isEqualTo(m);
  }

  @Test
  void unsetTimestampIsNull() {
    assertThat(Protos.instant(Timestamp.getDefaultInstance())).isNull();
    assertThat(Protos.instant(Timestamp.newBuilder().setSeconds(5).setNanos(7).build()))
        .isEqualTo(Instant.ofEpochSecond(5, 7));
  }

  @Test
  void labelMaskUsesLabelPaths() {
    assertThat(
            Protos.labelMask(List.of("a", "containerd.io/gc.ref.content.soci-index"))
                .getPathsList())
        .containsExactly("labels.a", "labels.containerd.io/gc.ref.content.soci-index");
  }
}
